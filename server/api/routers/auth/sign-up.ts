import { publicProcedure } from "@/server/api/trpc";
import { signUp as signUpUser } from "@/server/services/users/user-service";
import { signUpSchema } from "./sign-up.schema";

/** Same answer for a new and a taken email; the form then signs in with what was typed. */
export const signUp = publicProcedure
  .input(signUpSchema.input)
  .output(signUpSchema.output)
  .mutation(async ({ input }) => {
    await signUpUser(input);
    return { accepted: true as const };
  });

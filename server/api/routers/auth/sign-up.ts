import { publicProcedure } from "@/server/api/trpc";
import { signUp } from "@/server/services/users/user-service";
import { signUpSchema } from "./sign-up.schema";

/** Same answer for a new and a taken email; the form then signs in with what was typed. */
export const signUpProcedure = publicProcedure
  .input(signUpSchema.input)
  .output(signUpSchema.output)
  .mutation(async ({ input }) => {
    await signUp(input);
    return { accepted: true as const };
  });

import { publicProcedure } from "@/server/api/trpc";
import { createUser } from "@/server/services/user-service";
import { signUpSchema } from "./sign-up.schema";

export const signUp = publicProcedure
  .input(signUpSchema.input)
  .output(signUpSchema.output)
  .mutation(async ({ input }) => {
    const user = await createUser(input);
    return { id: user.id, email: user.email };
  });

import { router } from "@/server/api/trpc";
import { changePasswordProcedure } from "./change-password";
import { meProcedure } from "./me";
import { signUpProcedure } from "./sign-up";

export const authRouter = router({ signUp: signUpProcedure, me: meProcedure, changePassword: changePasswordProcedure });

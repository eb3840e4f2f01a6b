import { router } from "@/server/api/trpc";
import { changePassword } from "./change-password";
import { me } from "./me";
import { signUp } from "./sign-up";

export const authRouter = router({ signUp, me, changePassword });

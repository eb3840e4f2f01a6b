import { router } from "@/server/api/trpc";
import { me } from "./me";
import { signUp } from "./sign-up";

export const authRouter = router({ signUp, me });

import { z } from "zod";
import { changePasswordInput } from "@/server/services/users/user-service";

export const changePasswordSchema = { input: changePasswordInput, output: z.object({ sessionsEnded: z.literal(true) }) };

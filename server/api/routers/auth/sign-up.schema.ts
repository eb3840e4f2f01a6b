import { z } from "zod";
import { signUpInput } from "@/server/services/user-service";

export const signUpSchema = { input: signUpInput, output: z.object({ id: z.number(), email: z.string() }) };

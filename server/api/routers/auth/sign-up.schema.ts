import { z } from "zod";
import { signUpInput } from "@/server/services/users/user-service";

// The answer says nothing about whether the email already had an account (user-service signUp).
export const signUpSchema = { input: signUpInput, output: z.object({ accepted: z.literal(true) }) };

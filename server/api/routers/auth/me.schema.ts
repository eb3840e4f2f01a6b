import { z } from "zod";
import { API_SCOPES } from "@/server/auth/auth-user";

export const meSchema = {
  output: z.object({
    id: z.number(),
    email: z.string(),
    role: z.enum(["user", "admin"]),
    via: z.enum(["session", "api_key"]),
    scopes: z.array(z.enum(API_SCOPES)),
    defaultAiPersonality: z.string().nullable(),
  }),
};

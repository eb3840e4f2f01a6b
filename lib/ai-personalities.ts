import { z } from "zod";

/** Pantheon's AI personalities (seed §"Integrazione AI"). */
export const AI_PERSONALITIES = ["geppo", "c24", "gemini", "llama", "mistral"] as const;
export const aiPersonalitySchema = z.enum(AI_PERSONALITIES, { error: `must be one of ${AI_PERSONALITIES.join(", ")}` });
export type AiPersonality = z.infer<typeof aiPersonalitySchema>;

import { z } from "zod";

// The key as its owner sees it (never the key itself): shared by the apiKeys procedures.
export const apiKeyDto = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  defaultAiPersonality: z.string().nullable(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

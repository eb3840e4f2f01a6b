import { z } from "zod";

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
export const prefixInput = z.object({ prefix: z.string().regex(/^psk_[0-9a-f]{8}$/, "must look like psk_1a2b3c4d") });

import { z } from "zod";

export const prefixInput = z.object({ prefix: z.string().regex(/^psk_[0-9a-f]{8}$/, "must look like psk_1a2b3c4d") });
export const revokeApiKeyOutput = z.object({ revoked: z.literal(true) });

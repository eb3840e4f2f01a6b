import { z } from "zod";
import { sessionProcedure } from "@/server/api/trpc";
import { revokeApiKey } from "@/server/services/users/api-key-service";
import { prefixInput } from "./api-key.schema";

export const revokeApiKeyProcedure = sessionProcedure
  .input(prefixInput)
  .output(z.object({ revoked: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    await revokeApiKey(input.prefix, ctx.user.id);
    return { revoked: true as const };
  });

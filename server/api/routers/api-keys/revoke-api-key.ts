import { sessionProcedure } from "@/server/api/trpc";
import { revokeApiKey } from "@/server/services/users/api-key-service";
import { prefixInput, revokeApiKeyOutput } from "./revoke-api-key.schema";

export const revokeApiKeyProcedure = sessionProcedure
  .input(prefixInput)
  .output(revokeApiKeyOutput)
  .mutation(async ({ ctx, input }) => {
    await revokeApiKey(input.prefix, ctx.user.id);
    return { revoked: true as const };
  });

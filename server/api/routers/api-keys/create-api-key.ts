import { sessionProcedure } from "@/server/api/trpc";
import { createApiKey } from "@/server/services/users/api-key-service";
import { createApiKeyInput, createApiKeyOutput } from "./create-api-key.schema";

export const createApiKeyProcedure = sessionProcedure
  .input(createApiKeyInput)
  .output(createApiKeyOutput)
  .mutation(async ({ ctx, input }) => {
    const { key, record } = await createApiKey(ctx.user, input);
    // The only time the whole key is ever returned: it is not stored.
    return { key, apiKey: record };
  });

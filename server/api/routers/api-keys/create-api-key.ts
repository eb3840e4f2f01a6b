import { z } from "zod";
import { sessionProcedure } from "@/server/api/trpc";
import { createApiKey, createApiKeyInput } from "@/server/services/users/api-key-service";
import { apiKeyDto } from "./api-key.schema";

export const createApiKeyProcedure = sessionProcedure
  .input(createApiKeyInput)
  .output(z.object({ key: z.string(), apiKey: apiKeyDto }))
  .mutation(async ({ ctx, input }) => {
    const { key, record } = await createApiKey(ctx.user, input);
    // The only time the whole key is ever returned: it is not stored.
    return { key, apiKey: record };
  });

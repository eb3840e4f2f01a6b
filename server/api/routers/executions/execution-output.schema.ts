import { z } from "zod";
import { executionIdSchema } from "@/server/api/schemas/common.schema";

export const executionOutputInput = z.object({
  executionId: executionIdSchema,
  /** Set by httpSubscriptionLink on reconnect: the seq of the last event received. */
  lastEventId: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
});

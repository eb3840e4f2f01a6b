import { z } from "zod";
import { processIdSchema } from "./processes.schema";

export const processOutputInput = z.object({
  processId: processIdSchema,
  /** Set by httpSubscriptionLink on reconnect: the seq of the last event received. */
  lastEventId: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
});

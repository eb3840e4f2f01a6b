import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const executionFeedInput = z.object({
  projectId: projectIdSchema,
  /** Set by httpSubscriptionLink on reconnect: the id of the last execution announced. */
  lastEventId: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
});

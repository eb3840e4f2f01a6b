import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const fileChangesInput = z.object({
  projectId: projectIdSchema,
  /** Set by httpSubscriptionLink on reconnect: "<epoch>:<seq>" of the last event received. */
  lastEventId: z.string().max(64).nullish(),
});

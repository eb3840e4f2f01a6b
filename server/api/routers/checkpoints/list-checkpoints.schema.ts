import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";
import { checkpointIdSchema, checkpointSummaryDto } from "./checkpoints.schema";

export const listCheckpointsInput = z.object({
  projectId: projectIdSchema,
  limit: z.number().int().min(1).max(200).default(50),
  /** For the next page: the `nextBeforeId` of the previous one. */
  beforeId: checkpointIdSchema.optional(),
});
export const listCheckpointsOutput = z.object({ checkpoints: z.array(checkpointSummaryDto), nextBeforeId: z.number().int().nullable() });

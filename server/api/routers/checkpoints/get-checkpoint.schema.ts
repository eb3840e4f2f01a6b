import { z } from "zod";
import { filePathSchema, projectIdSchema } from "@/server/api/schemas/common.schema";
import { changeKind, checkpointIdSchema, checkpointSummaryDto } from "./checkpoints.schema";

export const getCheckpointInput = z.object({ projectId: projectIdSchema, checkpointId: checkpointIdSchema, path: filePathSchema.optional() });

const fileSide = z
  .object({
    hash: z.string(),
    sizeBytes: z.number().int(),
    executable: z.boolean(),
    binary: z.boolean(),
    /** Text, or base64 for a binary file; null when the checkpoint's content is over the response's budget. */
    content: z.string().nullable(),
  })
  .nullable();
export const getCheckpointOutput = checkpointSummaryDto.extend({
  diffs: z.array(z.object({ path: z.string(), change: changeKind, before: fileSide, after: fileSide, diff: z.string().nullable() })),
});

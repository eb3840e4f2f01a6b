import { z } from "zod";
import { aiPersonalityInput, filePathSchema, projectIdSchema } from "@/server/api/schemas/common.schema";

const checkpointIdSchema = z.number({ error: "must be a checkpoint id (a positive integer)" }).int().positive().max(2_147_483_647);

export const listCheckpointsInput = z.object({
  projectId: projectIdSchema,
  limit: z.number().int().min(1).max(200).default(50),
  /** For the next page: the `nextBeforeId` of the previous one. */
  beforeId: checkpointIdSchema.optional(),
});
export const getCheckpointInput = z.object({ projectId: projectIdSchema, checkpointId: checkpointIdSchema, path: filePathSchema.optional() });
export const restoreCheckpointInput = z.object({ projectId: projectIdSchema, checkpointId: checkpointIdSchema, aiPersonality: aiPersonalityInput });

const changeKind = z.enum(["added", "modified", "deleted"]);
export const checkpointSummaryDto = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  createdAt: z.date(),
  /** The person who made the change, and the AI personality if one made it for them. */
  author: z.object({ userId: z.number().int().nullable(), name: z.string().nullable(), aiPersonality: z.string().nullable() }),
  /** ide (a person's save), api, ai, refactor, feature, rollback, restore */
  source: z.string(),
  description: z.string(),
  restoredFrom: z.number().int().nullable(),
  files: z.array(z.object({ path: z.string(), change: changeKind })),
});
export const listCheckpointsOutput = z.object({ checkpoints: z.array(checkpointSummaryDto), nextBeforeId: z.number().int().nullable() });

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
export const restoreCheckpointOutput = z.object({
  restoredFrom: z.number().int(),
  written: z.array(z.string()),
  deleted: z.array(z.string()),
  /** The restore's own checkpoint (restore the one before it to undo); null when nothing differed. */
  checkpointId: z.number().int().nullable(),
});

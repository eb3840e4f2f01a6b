import { z } from "zod";

// Shapes shared by the checkpoints procedures.

export const checkpointIdSchema = z.number({ error: "must be a checkpoint id (a positive integer)" }).int().positive().max(2_147_483_647);

export const changeKind = z.enum(["added", "modified", "deleted"]);
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

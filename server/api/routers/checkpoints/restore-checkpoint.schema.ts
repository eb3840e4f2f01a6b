import { z } from "zod";
import { aiPersonalityInput, projectIdSchema } from "@/server/api/schemas/common.schema";
import { checkpointIdSchema } from "./checkpoints.schema";

export const restoreCheckpointInput = z.object({ projectId: projectIdSchema, checkpointId: checkpointIdSchema, aiPersonality: aiPersonalityInput });

export const restoreCheckpointOutput = z.object({
  restoredFrom: z.number().int(),
  written: z.array(z.string()),
  deleted: z.array(z.string()),
  /** The restore's own checkpoint (restore the one before it to undo); null when nothing differed. */
  checkpointId: z.number().int().nullable(),
});

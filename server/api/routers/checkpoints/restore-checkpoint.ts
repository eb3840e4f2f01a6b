import { requireScope } from "@/server/api/trpc";
import { restoreCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import { restoreCheckpointInput, restoreCheckpointOutput } from "./restore-checkpoint.schema";

/** Returns the files to their state just after a checkpoint; the restore is a checkpoint too. */
export const restoreCheckpointProcedure = requireScope("projects:write")
  .input(restoreCheckpointInput)
  .output(restoreCheckpointOutput)
  .mutation(({ ctx, input }) => restoreCheckpoint(ctx.user, input.projectId, input.checkpointId, input.aiPersonality));

import { actingAi, requireScope } from "@/server/api/trpc";
import { restoreCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import { restoreCheckpointInput, restoreCheckpointOutput } from "./restore-checkpoint.schema";

/** Returns the files to their state just after a checkpoint; the restore is a checkpoint too. */
export const restoreCheckpointProcedure = requireScope("projects:write")
  .input(restoreCheckpointInput)
  .use(actingAi)
  .output(restoreCheckpointOutput)
  .mutation(({ ctx, input }) => restoreCheckpoint(ctx.actor, input.projectId, input.checkpointId, ctx.config));

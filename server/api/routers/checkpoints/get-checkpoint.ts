import { requireScope } from "@/server/api/trpc";
import { getCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import { getCheckpointInput, getCheckpointOutput } from "./get-checkpoint.schema";

/** One checkpoint with both sides of each file and a unified diff. */
export const getCheckpointProcedure = requireScope("projects:read")
  .input(getCheckpointInput)
  .output(getCheckpointOutput)
  .query(({ ctx, input }) => getCheckpoint(ctx.user, input.projectId, input.checkpointId, input.path));

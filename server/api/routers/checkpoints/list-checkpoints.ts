import { requireScope } from "@/server/api/trpc";
import { listCheckpoints } from "@/server/services/checkpoints/checkpoint-service";
import { listCheckpointsInput, listCheckpointsOutput } from "./list-checkpoints.schema";

/** A project's change sets, newest first, with who made them and which files they touched. */
export const listCheckpointsProcedure = requireScope("projects:read")
  .input(listCheckpointsInput)
  .output(listCheckpointsOutput)
  .query(({ ctx, input }) => listCheckpoints(ctx.user, input.projectId, input));

import { router } from "@/server/api/trpc";
import { getCheckpointProcedure } from "./get-checkpoint";
import { listCheckpointsProcedure } from "./list-checkpoints";
import { restoreCheckpointProcedure } from "./restore-checkpoint";

export const checkpointsRouter = router({
  list: listCheckpointsProcedure,
  get: getCheckpointProcedure,
  restore: restoreCheckpointProcedure,
});

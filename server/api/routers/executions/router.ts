import { router } from "@/server/api/trpc";
import { cancelExecutionProcedure } from "./cancel-execution";
import { executionFeedProcedure } from "./execution-feed";
import { executionHistoryProcedure } from "./execution-history";
import { executionOutputProcedure } from "./execution-output";
import { getExecutionProcedure } from "./get-execution";
import { runExecutionProcedure } from "./run-execution";

export const executionsRouter = router({
  run: runExecutionProcedure,
  output: executionOutputProcedure,
  feed: executionFeedProcedure,
  cancel: cancelExecutionProcedure,
  history: executionHistoryProcedure,
  get: getExecutionProcedure,
});

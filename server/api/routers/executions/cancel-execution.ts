import { requireScope } from "@/server/api/trpc";
import { cancelExecution } from "@/server/services/executions/execution-queries";
import { cancelExecutionOutput, executionIdInput } from "./cancel-execution.schema";

/** Stops a running execution (its row ends with reason "cancelled"); false if it had already finished. */
export const cancelExecutionProcedure = requireScope("executions:run")
  .input(executionIdInput)
  .output(cancelExecutionOutput)
  .mutation(async ({ ctx, input }) => ({ cancelled: await cancelExecution(ctx.user, input.executionId) }));

import { requireScope } from "@/server/api/trpc";
import { requireExecution } from "@/server/services/executions/execution-queries";
import { executionIdInput } from "./cancel-execution.schema";
import { getExecutionOutput } from "./get-execution.schema";

/** One execution with its output; status null while it runs. */
export const getExecutionProcedure = requireScope("projects:read")
  .input(executionIdInput)
  .output(getExecutionOutput)
  .query(({ ctx, input }) => requireExecution(ctx.user, input.executionId));

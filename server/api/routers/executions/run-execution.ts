import { actingAi, requireScope } from "@/server/api/trpc";
import { startExecution } from "@/server/services/executions/start-execution";
import { runExecutionInput, runExecutionOutput } from "./run-execution.schema";
import { toExecutionRequest } from "./to-execution-request";

/** Starts a command or snippet and answers with its id at once; follow it with executions.output. */
export const runExecutionProcedure = requireScope("executions:run")
  .input(runExecutionInput)
  .use(actingAi)
  .output(runExecutionOutput)
  .mutation(async ({ ctx, input }) => {
    const { execution } = await startExecution(ctx.actor, input.projectId, toExecutionRequest(input), ctx.config);
    return { executionId: execution.id };
  });

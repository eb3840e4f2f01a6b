import { requireScope } from "@/server/api/trpc";
import { attributedAi } from "@/server/services/ai-attribution";
import { startExecution } from "@/server/services/executions/start-execution";
import { runExecutionInput, runExecutionOutput } from "./run-execution.schema";
import { toExecutionRequest } from "./to-execution-request";

/** Starts a command or snippet and answers with its id at once; follow it with executions.output. */
export const runExecutionProcedure = requireScope("executions:run")
  .input(runExecutionInput)
  .output(runExecutionOutput)
  .mutation(async ({ ctx, input }) => {
    const { execution } = await startExecution(ctx.user, input.projectId, toExecutionRequest(input), attributedAi(ctx.user, input.aiPersonality));
    return { executionId: execution.id };
  });

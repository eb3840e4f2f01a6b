import { actingAi, requireScope } from "@/server/api/trpc";
import { runTests } from "@/server/services/ai/ai-tools";
import { executionResultDto } from "./ai.schema";
import { runTestsInput } from "./run-tests.schema";

/** run_tests: the template's test command, to completion, with diagnostics. */
export const runTestsProcedure = requireScope("executions:run")
  .input(runTestsInput)
  .use(actingAi)
  .output(executionResultDto)
  .mutation(({ ctx, input }) => runTests(ctx.actor, input.projectId, input, ctx.config));

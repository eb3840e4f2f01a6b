import { requireScope } from "@/server/api/trpc";
import { listExecutions } from "@/server/services/executions/execution-queries";
import { executionHistoryInput, executionHistoryOutput } from "./execution-history.schema";

/** A project's executions, newest first, without their output (page with beforeId). */
export const executionHistoryProcedure = requireScope("projects:read")
  .input(executionHistoryInput)
  .output(executionHistoryOutput)
  .query(({ ctx, input }) => listExecutions(ctx.user, input.projectId, { limit: input.limit, beforeId: input.beforeId }));

import { requireScope } from "@/server/api/trpc";
import { clearCommandHistory } from "@/server/services/terminal/command-history-service";
import { clearCommandHistoryInput, clearCommandHistoryOutput } from "./clear-command-history.schema";

/** Forgets the caller's history in a project. */
export const clearCommandHistoryProcedure = requireScope("executions:run")
  .input(clearCommandHistoryInput)
  .output(clearCommandHistoryOutput)
  .mutation(({ ctx, input }) => clearCommandHistory(ctx.user, input.projectId));

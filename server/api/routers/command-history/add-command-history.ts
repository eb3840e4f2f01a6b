import { requireScope } from "@/server/api/trpc";
import { addCommandHistory } from "@/server/services/terminal/command-history-service";
import { addCommandHistoryInput, addCommandHistoryOutput } from "./add-command-history.schema";

/** Appends a command to the caller's history in a project (a repeat of the last one is skipped). */
export const addCommandHistoryProcedure = requireScope("executions:run")
  .input(addCommandHistoryInput)
  .output(addCommandHistoryOutput)
  .mutation(({ ctx, input }) => addCommandHistory(ctx.user, input.projectId, input.command));

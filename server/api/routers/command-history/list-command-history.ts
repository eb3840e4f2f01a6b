import { requireScope } from "@/server/api/trpc";
import { listCommandHistory } from "@/server/services/terminal/command-history-service";
import { listCommandHistoryInput, listCommandHistoryOutput } from "./list-command-history.schema";

/** The caller's own terminal commands in a project, oldest first. */
export const listCommandHistoryProcedure = requireScope("executions:run")
  .input(listCommandHistoryInput)
  .output(listCommandHistoryOutput)
  .query(async ({ ctx, input }) => ({ commands: await listCommandHistory(ctx.user, input.projectId, input.limit) }));

import { actingAi, requireScopes } from "@/server/api/trpc";
import { applyChanges } from "@/server/services/ai/ai-tools";
import { applyChangesInput, applyChangesOutput } from "./apply-changes.schema";

/** apply_changes: a multi-file change set stored atomically, then a verification command. */
export const applyChangesProcedure = requireScopes("projects:write", "executions:run")
  .input(applyChangesInput)
  .use(actingAi)
  .output(applyChangesOutput)
  .mutation(({ ctx, input }) => applyChanges(ctx.actor, input.projectId, { writes: input.writes, deletes: input.deletes }, input, ctx.config));

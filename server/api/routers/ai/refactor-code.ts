import { actingAi, requireScopes } from "@/server/api/trpc";
import { applyVerifiedChangeSet } from "@/server/services/ai/verified-change-set";
import { verifiedChangeSetInput, verifiedChangeSetOutput } from "./verified-change-set.schema";

/** refactor_code: a change set that must keep the tests green, else it is rolled back. */
export const refactorCodeProcedure = requireScopes("projects:write", "executions:run")
  .input(verifiedChangeSetInput)
  .use(actingAi)
  .output(verifiedChangeSetOutput)
  .mutation(({ ctx, input }) => applyVerifiedChangeSet(ctx.actor, input.projectId, { kind: "refactor", ...input }, ctx.config));

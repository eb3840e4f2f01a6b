import { actingAi, requireScopes } from "@/server/api/trpc";
import { applyVerifiedChangeSet } from "@/server/services/ai/verified-change-set";
import { verifiedChangeSetInput, verifiedChangeSetOutput } from "./verified-change-set.schema";

/** add_feature: new code (and its tests) applied only if the verification passes, else rolled back. */
export const addFeatureProcedure = requireScopes("projects:write", "executions:run")
  .input(verifiedChangeSetInput)
  .use(actingAi)
  .output(verifiedChangeSetOutput)
  .mutation(({ ctx, input }) => applyVerifiedChangeSet(ctx.actor, input.projectId, { kind: "feature", ...input }, ctx.config));

import { requireScope } from "@/server/api/trpc";
import { projectContext } from "@/server/services/ai/project-context";
import { getContextInput, getContextOutput } from "./get-context.schema";

/** get_context: tree, contents within a byte budget, and the last results (for optimize / add_feature / refactor). */
export const getContextProcedure = requireScope("projects:read")
  .input(getContextInput)
  .output(getContextOutput)
  .query(({ ctx, input }) => projectContext(ctx.user, input.projectId, input.byteBudget));

import { requireScope } from "@/server/api/trpc";
import { debugCode } from "@/server/services/ai/ai-tools";
import { projectIdInput } from "../projects/get-project.schema";
import { debugCodeOutput } from "./debug-code.schema";

/** debug_code: the latest failed execution and the errors parsed from it. */
export const debugCodeProcedure = requireScope("projects:read")
  .input(projectIdInput)
  .output(debugCodeOutput)
  .query(({ ctx, input }) => debugCode(ctx.user, input.projectId));

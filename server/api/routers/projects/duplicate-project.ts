import { actingAi, requireScope } from "@/server/api/trpc";
import { duplicateProject } from "@/server/services/projects/project-service";
import { duplicateProjectInput, duplicateProjectOutput } from "./duplicate-project.schema";

export const duplicateProjectProcedure = requireScope("projects:write")
  .input(duplicateProjectInput)
  .use(actingAi)
  .output(duplicateProjectOutput)
  .mutation(({ ctx, input }) => duplicateProject(ctx.actor, input.projectId, input, ctx.config));

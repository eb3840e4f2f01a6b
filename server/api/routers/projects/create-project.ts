import { actingAi, requireScope } from "@/server/api/trpc";
import { createProject } from "@/server/services/projects/project-service";
import { createProjectInput, createProjectOutput } from "./create-project.schema";

export const createProjectProcedure = requireScope("projects:write")
  .input(createProjectInput)
  .use(actingAi)
  .output(createProjectOutput)
  .mutation(({ ctx, input }) => createProject(ctx.actor, input));

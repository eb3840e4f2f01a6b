import { actingAi, requireScope } from "@/server/api/trpc";
import { createProject } from "@/server/services/projects/project-service";
import { createProjectOutput } from "../projects/create-project.schema";
import { aiCreateProjectInput } from "./create-project.schema";

/** create_project: a project with a template's complete structure. */
export const aiCreateProjectProcedure = requireScope("projects:write")
  .input(aiCreateProjectInput)
  .use(actingAi)
  .output(createProjectOutput)
  .mutation(({ ctx, input }) => createProject(ctx.actor, input));

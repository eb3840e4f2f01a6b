import { requireScope } from "@/server/api/trpc";
import { updateProject } from "@/server/services/projects/project-service";
import { updateProjectInput, updateProjectOutput } from "./update-project.schema";

export const updateProjectProcedure = requireScope("projects:write")
  .input(updateProjectInput)
  .output(updateProjectOutput)
  .mutation(({ ctx, input }) => {
    const { projectId, ...changes } = input;
    return updateProject(ctx.user, projectId, changes);
  });

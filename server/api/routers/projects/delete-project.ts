import { requireScope } from "@/server/api/trpc";
import { deleteProject } from "@/server/services/projects/project-service";
import { deleteProjectOutput } from "./delete-project.schema";
import { projectIdInput } from "./get-project.schema";

export const deleteProjectProcedure = requireScope("projects:write")
  .input(projectIdInput)
  .output(deleteProjectOutput)
  .mutation(async ({ ctx, input }) => {
    await deleteProject(ctx.user, input.projectId);
    return { deleted: true as const };
  });

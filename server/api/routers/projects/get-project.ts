import { requireScope } from "@/server/api/trpc";
import { getProject } from "@/server/services/projects/project-service";
import { getProjectOutput, projectIdInput } from "./get-project.schema";

export const getProjectProcedure = requireScope("projects:read")
  .input(projectIdInput)
  .output(getProjectOutput)
  .query(({ ctx, input }) => getProject(ctx.user, input.projectId));

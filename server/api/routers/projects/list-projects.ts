import { requireScope } from "@/server/api/trpc";
import { listProjects } from "@/server/services/projects/project-service";
import { listProjectsInput, listProjectsOutput, listProjectsQuery } from "./list-projects.schema";

export const listProjectsProcedure = requireScope("projects:read")
  .input(listProjectsInput)
  .output(listProjectsOutput)
  .query(({ ctx, input }) => listProjects(ctx.user, listProjectsQuery(input)));

import { requireScope } from "@/server/api/trpc";
import { listProjects } from "@/server/services/projects/project-service";
import { listProjectsInput, listProjectsOutput } from "./list-projects.schema";

export const listProjectsProcedure = requireScope("projects:read")
  .input(listProjectsInput)
  .output(listProjectsOutput)
  .query(({ ctx, input }) =>
    listProjects(ctx.user, {
      scope: input.scope,
      search: input.search || undefined,
      sort: input.sort,
      order: input.order,
      take: input.limit,
      skip: input.offset,
    }),
  );

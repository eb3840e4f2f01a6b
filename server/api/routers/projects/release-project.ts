import { requireScope } from "@/server/api/trpc";
import { releaseProject } from "@/server/services/projects/project-service";
import { projectIdInput } from "./get-project.schema";
import { releaseProjectOutput } from "./release-project.schema";

/** Stops the project's sandbox (files stay), freeing one of the owner's running-sandbox slots. */
export const releaseProjectProcedure = requireScope("projects:write")
  .input(projectIdInput)
  .output(releaseProjectOutput)
  .mutation(async ({ ctx, input }) => {
    await releaseProject(ctx.user, input.projectId);
    return { released: true as const };
  });

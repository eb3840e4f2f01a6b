import { requireScope } from "@/server/api/trpc";
import { listFiles } from "@/server/services/files/file-service";
import { projectIdInput } from "../projects/get-project.schema";
import { listFilesOutput } from "./list-files.schema";

/** The project's files (paths with metadata, sorted); folders are the paths' prefixes. */
export const listFilesProcedure = requireScope("projects:read")
  .input(projectIdInput)
  .output(listFilesOutput)
  .query(({ ctx, input }) => listFiles(ctx.user, input.projectId));

import { requireScope } from "@/server/api/trpc";
import { deleteFile } from "@/server/services/files/file-service";
import { deleteFileOutput } from "./delete-file.schema";
import { projectFileInput } from "./files.schema";

/** Deletes a file, or a folder with everything under it. */
export const deleteFileProcedure = requireScope("projects:write")
  .input(projectFileInput)
  .output(deleteFileOutput)
  .mutation(({ ctx, input }) => deleteFile(ctx.user, input.projectId, input.path, ctx.config));

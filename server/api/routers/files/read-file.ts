import { requireScope } from "@/server/api/trpc";
import { readFile } from "@/server/services/files/file-service";
import { projectFileInput } from "./files.schema";
import { readFileOutput } from "./read-file.schema";

export const readFileProcedure = requireScope("projects:read")
  .input(projectFileInput)
  .output(readFileOutput)
  .query(({ ctx, input }) => readFile(ctx.user, input.projectId, input.path));

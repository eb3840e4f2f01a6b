import { requireScope } from "@/server/api/trpc";
import { writeFile } from "@/server/services/files/file-service";
import { fileWriteInput } from "./files.schema";
import { writeFileOutput } from "./write-file.schema";

/** Creates or replaces a file. */
export const writeFileProcedure = requireScope("projects:write")
  .input(fileWriteInput)
  .output(writeFileOutput)
  .mutation(({ ctx, input }) => writeFile(ctx.user, input.projectId, input, input.aiPersonality));

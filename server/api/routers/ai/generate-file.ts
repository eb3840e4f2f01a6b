import { actingAi, requireScope } from "@/server/api/trpc";
import { writeFile } from "@/server/services/files/file-service";
import { fileWriteInput } from "../files/files.schema";
import { writeFileOutput } from "../files/write-file.schema";

/** generate_file: writes the file the AI generated, attributed to it; baseVersion as files.write. */
export const generateFileProcedure = requireScope("projects:write")
  .input(fileWriteInput)
  .use(actingAi)
  .output(writeFileOutput)
  .mutation(({ ctx, input }) => writeFile(ctx.actor, input.projectId, input, ctx.config));

import { actingAi, requireScope } from "@/server/api/trpc";
import { createFile } from "@/server/services/files/file-service";
import { fileWriteInput } from "./files.schema";
import { writeFileOutput } from "./write-file.schema";

/** Creates a file; CONFLICT when it already exists. */
export const createFileProcedure = requireScope("projects:write")
  .input(fileWriteInput)
  .use(actingAi)
  .output(writeFileOutput)
  .mutation(({ ctx, input }) => createFile(ctx.actor, input.projectId, input, ctx.config));

import { actingAi, requireScope } from "@/server/api/trpc";
import { writeFile } from "@/server/services/files/file-service";
import { fileWriteInput } from "./files.schema";
import { writeFileOutput } from "./write-file.schema";

/**
 * Creates or replaces a file. With baseVersion (the version a read returned) it replaces only that
 * version, null creates only: otherwise CONFLICT with the current version in data.conflicts. The
 * IDE always sends one; without it the write is "create or overwrite", as the seed's API was.
 */
export const writeFileProcedure = requireScope("projects:write")
  .input(fileWriteInput)
  .use(actingAi)
  .output(writeFileOutput)
  .mutation(({ ctx, input }) => writeFile(ctx.actor, input.projectId, input, ctx.config));

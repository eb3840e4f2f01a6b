import { actingAi, requireScope } from "@/server/api/trpc";
import { moveFile } from "@/server/services/files/file-service";
import { moveFileInput, moveFileOutput } from "./move-file.schema";

/** Renames or moves a file, or a folder with everything under it. */
export const moveFileProcedure = requireScope("projects:write")
  .input(moveFileInput)
  .use(actingAi)
  .output(moveFileOutput)
  .mutation(({ ctx, input }) => moveFile(ctx.actor, input.projectId, input.from, input.to, ctx.config));

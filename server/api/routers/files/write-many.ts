import { actingAi, requireScope } from "@/server/api/trpc";
import { writeMany } from "@/server/services/files/file-service";
import { writeManyInput, writeManyOutput } from "./write-many.schema";

/** Writes and deletes many files as one unit: all of it is stored, or none. */
export const writeManyProcedure = requireScope("projects:write")
  .input(writeManyInput)
  .use(actingAi)
  .output(writeManyOutput)
  .mutation(({ ctx, input }) => writeMany(ctx.actor, input.projectId, { writes: input.writes, deletes: input.deletes }, ctx.config));

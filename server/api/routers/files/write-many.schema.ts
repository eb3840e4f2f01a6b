import { z } from "zod";
import { aiPersonalityInput, filePathSchema, projectIdSchema } from "@/server/api/schemas/common.schema";
import { fileWriteSchema } from "./files.schema";

export const writeManyInput = z.object({
  projectId: projectIdSchema,
  writes: z.array(fileWriteSchema).max(1000, "at most 1000 files per change set"),
  deletes: z.array(filePathSchema).max(1000, "at most 1000 deletions per change set").default([]),
  aiPersonality: aiPersonalityInput,
});
/** versions: each written path's new version, the base of the next write. */
export const writeManyOutput = z.object({
  written: z.array(z.string()),
  deleted: z.array(z.string()),
  versions: z.record(z.string(), z.string()),
  /** The checkpoint recording this change set (null when nothing changed). */
  checkpointId: z.number().int().nullable(),
});

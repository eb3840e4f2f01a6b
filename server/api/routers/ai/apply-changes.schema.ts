import { z } from "zod";
import { aiPersonalityInput, filePathSchema, projectIdSchema, timeoutSecondsSchema } from "@/server/api/schemas/common.schema";
import { fileWriteSchema } from "../files/files.schema";
import { executionResultDto } from "./ai.schema";

export const applyChangesInput = z.object({
  projectId: projectIdSchema,
  writes: z.array(fileWriteSchema).max(1000),
  deletes: z.array(filePathSchema).max(1000).default([]),
  /** Run after the change set is stored, e.g. the template's test or build command. */
  verifyCommand: z.string().min(1).max(65_536).optional(),
  timeoutSeconds: timeoutSecondsSchema.optional(),
  aiPersonality: aiPersonalityInput,
});
export const applyChangesOutput = z.object({
  written: z.array(z.string()),
  deleted: z.array(z.string()),
  /** The checkpoint recording this change set (null when nothing changed). */
  checkpointId: z.number().int().nullable(),
  /** Each written path's new version, the base of the next write. */
  versions: z.record(z.string(), z.string()),
  verification: executionResultDto.nullable(),
});

import { z } from "zod";
import {
  aiPersonalityInput,
  baseVersionSchema,
  encodingSchema,
  fileContentSchema,
  filePathSchema,
  noNul,
  projectIdSchema,
  timeoutSecondsSchema,
} from "@/server/api/schemas/common.schema";
import { diagnosticDto } from "@/server/api/schemas/dto.schema";

// ai.refactorCode and ai.addFeature: one change set, verified, rolled back byte-exact if the verification fails.

/** The fields of each change operation; REST builds its strict variants (did-you-mean) from the same shapes. */
export const changeOperationShapes = {
  write: {
    op: z.literal("write"),
    path: filePathSchema,
    content: fileContentSchema,
    encoding: encodingSchema,
    /** Sets the execute bit; omitted keeps the file's current bit (off for a new file). */
    executable: z.boolean().optional(),
  },
  delete: { op: z.literal("delete"), path: filePathSchema },
  move: { op: z.literal("move"), from: filePathSchema, to: filePathSchema },
};

export const changeOperationSchema = z.discriminatedUnion("op", [
  // A write names the version it was based on, as files.write does (REST: base_version).
  z.object({ ...changeOperationShapes.write, baseVersion: baseVersionSchema }),
  z.object(changeOperationShapes.delete),
  z.object(changeOperationShapes.move),
]);

export const verifiedChangeSetInput = z.object({
  projectId: projectIdSchema,
  description: z
    .string()
    .trim()
    .min(1, "must say what the change does")
    .max(500, "must be at most 500 characters")
    .refine(...noNul),
  changes: z.array(changeOperationSchema).min(1, "must change something").max(1000, "at most 1000 operations per change set"),
  /** The verification command; default: the template's test command. */
  verify: z
    .string()
    .min(1)
    .max(65_536)
    .refine(...noNul)
    .optional(),
  timeoutSeconds: timeoutSecondsSchema.optional(),
  aiPersonality: aiPersonalityInput,
});

export const verifiedChangeSetOutput = z.object({
  /** The change set is in the project now (the verification passed). */
  applied: z.boolean(),
  /** The verification failed or timed out and every file was returned to its exact state before. */
  rolledBack: z.boolean(),
  written: z.array(z.string()),
  deleted: z.array(z.string()),
  verification: z.object({
    executionId: z.number().int(),
    status: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    output: z.string(),
    errorOutput: z.string(),
    diagnostics: z.array(diagnosticDto),
  }),
  /** The change set's checkpoint (restore it to re-apply a rolled-back change set). */
  checkpointId: z.number().int().nullable(),
  /** The rollback's own checkpoint, when there was one. */
  rollbackCheckpointId: z.number().int().nullable(),
});

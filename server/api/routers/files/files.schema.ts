import { z } from "zod";
import { aiPersonalityInput, baseVersionSchema, encodingSchema, fileContentSchema, filePathSchema, projectIdSchema } from "@/server/api/schemas/common.schema";

// Shapes shared by the files procedures.
export const fileWriteSchema = z.object({
  path: filePathSchema,
  content: fileContentSchema,
  encoding: encodingSchema,
  isEntryPoint: z.boolean().optional(),
  baseVersion: baseVersionSchema,
});
export const projectFileInput = z.object({ projectId: projectIdSchema, path: filePathSchema });
export const fileWriteInput = fileWriteSchema.extend({ projectId: projectIdSchema, aiPersonality: aiPersonalityInput });

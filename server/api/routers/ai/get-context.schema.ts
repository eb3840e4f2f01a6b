import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";
import { diagnosticDto } from "@/server/api/schemas/dto.schema";

export const getContextInput = z.object({
  projectId: projectIdSchema,
  byteBudget: z
    .number()
    .int()
    .min(0)
    .max(4 * 1024 * 1024)
    .default(256 * 1024),
});
export const getContextOutput = z.object({
  project: z.object({ id: z.number(), name: z.string(), description: z.string().nullable(), templateType: z.string().nullable() }),
  /** version: what a write based on this context sends as baseVersion. */
  tree: z.array(z.object({ path: z.string(), sizeBytes: z.number(), isEntryPoint: z.boolean(), version: z.string() })),
  contents: z.array(z.object({ path: z.string(), content: z.string(), version: z.string() })),
  omitted: z.array(z.string()),
  lastExecutions: z.array(
    z.object({
      id: z.number(),
      command: z.string().nullable(),
      status: z.string().nullable(),
      exitCode: z.number().nullable(),
      outputTail: z.string(),
      errorOutputTail: z.string(),
      diagnostics: z.array(diagnosticDto),
    }),
  ),
});

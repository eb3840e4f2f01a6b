import { z } from "zod";
import { filePathSchema, projectIdSchema } from "@/server/api/schemas/common.schema";
import { VUE_CHECK_CEILINGS } from "@/server/services/vue-diagnostics/vue-diagnostics-service";

/** One .vue file's unsaved text, checked with the project's saved sources. */
export const vueDiagnosticsInput = z.object({
  projectId: projectIdSchema,
  path: filePathSchema.refine((path) => path.endsWith(".vue"), "must be a .vue file"),
  content: z.string().max(VUE_CHECK_CEILINGS.maxTotalBytes, `is above the ${VUE_CHECK_CEILINGS.maxTotalBytes} bytes a Vue check reads`),
});

/** As vue-tsc reports them, at 1-based lines and columns of the text sent (Monaco's marker positions). */
export const vueDiagnosticsOutput = z.array(
  z.object({
    line: z.number().int().positive(),
    column: z.number().int().positive(),
    endLine: z.number().int().positive(),
    endColumn: z.number().int().positive(),
    code: z.number().int(),
    message: z.string(),
    severity: z.enum(["error", "warning"]),
  }),
);

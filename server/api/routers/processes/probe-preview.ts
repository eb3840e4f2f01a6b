import { z } from "zod";
import { requireScope } from "@/server/api/trpc";
import { probePreview } from "@/server/services/processes/process-service";
import { processIdInput } from "./processes.schema";

/** Whether the process's dev server answers on its port yet, and if not, why ("nothing listening on port N"). */
export const probePreviewProcedure = requireScope("projects:read")
  .input(processIdInput)
  .output(z.object({ listening: z.boolean(), detail: z.string().nullable() }))
  .query(({ ctx, input }) => probePreview(ctx.user, input.processId));

import { z } from "zod";
import { requireScope } from "@/server/api/trpc";
import { getProcess } from "@/server/services/processes/process-service";
import { processIdInput, processOutput } from "./processes.schema";

/** One background process with the output kept for it. */
export const getProcessProcedure = requireScope("projects:read")
  .input(processIdInput)
  .output(processOutput.extend({ output: z.string(), outputBase64: z.string().nullable() }))
  .query(({ ctx, input }) => getProcess(ctx.user, input.processId));

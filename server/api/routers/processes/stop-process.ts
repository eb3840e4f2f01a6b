import { requireScope } from "@/server/api/trpc";
import { stopProcess } from "@/server/services/processes/process-service";
import { processIdInput, processOutput } from "./processes.schema";

/** Stops a background process and its children; its preview closes with it. */
export const stopProcessProcedure = requireScope("executions:run")
  .input(processIdInput)
  .output(processOutput)
  .mutation(({ ctx, input }) => stopProcess(ctx.user, input.processId));

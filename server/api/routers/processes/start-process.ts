import { actingAi, requireScope } from "@/server/api/trpc";
import { startProcess } from "@/server/services/processes/process-service";
import { processOutput } from "./processes.schema";
import { startProcessInput } from "./start-process.schema";

/** Starts a command in the background of the project's container; with a port, answers its preview URL. */
export const startProcessProcedure = requireScope("executions:run")
  .input(startProcessInput)
  .use(actingAi)
  .output(processOutput)
  .mutation(({ ctx, input }) => startProcess(ctx.actor, input.projectId, { command: input.command, port: input.port ?? null }, ctx.config));

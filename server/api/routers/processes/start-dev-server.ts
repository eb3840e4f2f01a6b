import { actingAi, requireScope } from "@/server/api/trpc";
import { startDevServer } from "@/server/services/processes/process-service";
import { processOutput } from "./processes.schema";
import { startDevServerInput } from "./start-dev-server.schema";

/** Starts the dev server the project's template declares (Vite for react-app and vue-app, the API for node-api). */
export const startDevServerProcedure = requireScope("executions:run")
  .input(startDevServerInput)
  .use(actingAi)
  .output(processOutput)
  .mutation(({ ctx, input }) => startDevServer(ctx.actor, input.projectId, ctx.config));

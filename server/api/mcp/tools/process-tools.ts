import { z } from "zod";
import { containerPortSchema, processCommandSchema, processIdInput, processOutput } from "@/server/api/routers/processes/processes.schema";
import { aiPersonalityInput, projectIdSchema } from "@/server/api/schemas/common.schema";
import { startDevServer, startProcess, stopProcess } from "@/server/services/processes/process-service";
import { defineTool } from "../mcp-tool";

const startDevServerInput = z
  .object({
    projectId: projectIdSchema,
    /** Omit both for the template's own dev server. */
    command: processCommandSchema.optional(),
    port: containerPortSchema.optional(),
    aiPersonality: aiPersonalityInput,
  })
  .refine((input) => (input.command === undefined) === (input.port === undefined), { message: "give command and port together, or neither" });

export const startDevServerTool = defineTool({
  name: "start_dev_server",
  title: "Start a dev server",
  description:
    "Starts the template's dev server (or command serving port) in the background of the project's container and returns the process " +
    "with its previewUrl (answers the project's owner: send the same Bearer key). stop_process stops it.",
  scopes: ["executions:run"],
  readOnly: false,
  input: startDevServerInput,
  run: async ({ actor, config }, input) => {
    const started =
      input.command !== undefined && input.port !== undefined
        ? await startProcess(actor, input.projectId, { command: input.command, port: input.port }, config)
        : await startDevServer(actor, input.projectId, config);
    return processOutput.parse(started);
  },
});

export const stopProcessTool = defineTool({
  name: "stop_process",
  title: "Stop a background process",
  description: "Stops a background process (a dev server started with start_dev_server) and its children; its preview closes with it.",
  scopes: ["executions:run"],
  readOnly: false,
  input: processIdInput,
  run: async ({ user }, input) => processOutput.parse(await stopProcess(user, input.processId)),
});

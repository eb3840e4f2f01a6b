import { type z } from "zod";
import { executionResultDto } from "@/server/api/routers/ai/ai.schema";
import { runExecutionInput, type RunExecutionInput } from "@/server/api/routers/executions/run-execution.schema";
import { toExecutionRequest } from "@/server/api/routers/executions/to-execution-request";
import { runAndWait } from "@/server/services/ai/run-and-wait";
import { executionEvents } from "@/server/services/executions/execution-events";
import { defineTool, type McpToolContext } from "../mcp-tool";

// MCP tool inputs must be one JSON object schema, so executions.run's two shapes (command | code)
// are flattened here; their field schemas are reused, and the union is rebuilt before the service.
const [commandShape, codeShape] = runExecutionInput.options;
const runInput = commandShape
  .omit({ kind: true })
  .extend({ command: commandShape.shape.command.optional(), language: codeShape.shape.language.optional(), code: codeShape.shape.code.optional() })
  .superRefine((input, ctx) => {
    const asCode = input.code !== undefined || input.language !== undefined;
    if (input.command !== undefined && asCode) ctx.addIssue({ code: "custom", message: "give either command, or language and code, not both" });
    else if (input.command === undefined && !(input.code !== undefined && input.language !== undefined))
      ctx.addIssue({ code: "custom", message: "give a command, or a language and code" });
  });

function asExecutionInput(input: z.output<typeof runInput>): RunExecutionInput {
  const common = { projectId: input.projectId, type: input.type, timeoutSeconds: input.timeoutSeconds, aiPersonality: input.aiPersonality };
  return input.command !== undefined
    ? { kind: "command", command: input.command, image: input.image, ...common }
    : { kind: "code", language: input.language ?? "node", code: input.code ?? "", ...common };
}

/** Relays the execution's output as progress notifications while it runs; a failed relay never fails the run. */
function relayOutput({ user, signal, progress }: McpToolContext) {
  if (!progress) return undefined;
  return async (execution: { id: number }) => {
    try {
      for await (const event of executionEvents(user, execution.id, null, signal)) {
        if (event.type === "exit") return;
        await progress({ progress: event.seq, message: event.data, stream: event.type });
      }
    } catch {
      // The client went away or stopped listening; the execution goes on and is recorded.
    }
  };
}

export const runTool = defineTool({
  name: "run",
  title: "Run a command or snippet",
  description:
    "Runs a shell command (command) or a snippet (language: node | typescript | python, code) in the project's sandbox and waits for it " +
    "(timeoutSeconds, default SANDBOX_DEFAULT_TIMEOUT, 30 s unless configured; the run is killed at its limit). Returns exitCode, status, output, errorOutput, diagnostics (file, line, message) " +
    "and listeningPorts (ports it served): a server belongs in start_dev_server {command, port}, which keeps running and gives a preview. " +
    "With a progressToken, each output chunk arrives as a progress notification (message = the text; _meta['pantheon/stream'] = stdout | stderr).",
  scopes: ["executions:run"],
  readOnly: false,
  input: runInput,
  run: async (ctx, input) => {
    const execution = asExecutionInput(input);
    const result = await runAndWait(ctx.actor, input.projectId, toExecutionRequest(execution), ctx.config, relayOutput(ctx));
    return executionResultDto.parse(result);
  },
});

import type { ExecutionResult } from "@/server/sandbox/execution-types";

// Longer commands are not repeated in the hint (it would drown the output it follows).
const COMMAND_SHOWN = 300;

export interface RunLimitInput {
  projectId: number;
  /** The command as run ("" for a code snippet). */
  command: string;
  result: Pick<ExecutionResult, "status" | "reason" | "exitCode">;
  listeningPorts: readonly number[];
  timeoutMs: number;
  maxTimeoutSeconds: number;
}

/**
 * The lines appended to an execution's stderr when it ended at its time limit, or was cancelled
 * while serving a port: how long a run may last, and that a server belongs in a background
 * process, which keeps running and gets a preview — with the call that starts one. Every reader
 * of the output (IDE terminal, REST, tRPC, the AI tools) sees it; "" when there is nothing to say.
 */
export function runLimitNotice(input: RunLimitInput): string {
  const { result, listeningPorts, projectId } = input;
  const timedOut = result.status === "timeout";
  if (!timedOut && !(result.reason === "cancelled" && listeningPorts.length)) return "";
  const seconds = Math.round(input.timeoutMs / 1000);
  const exit = result.exitCode === null ? "" : ` (exit ${result.exitCode})`;
  const ports = listeningPorts.length === 1 ? `port ${listeningPorts[0]}` : `ports ${listeningPorts.join(", ")}`;
  const lines: string[] = [];
  if (timedOut) {
    lines.push(
      `pantheon: stopped at the run's time limit of ${seconds} s${exit}${listeningPorts.length ? ` while serving on ${ports}` : ""}.` +
        ` Runs are for commands that finish (a longer timeout may be asked, up to ${input.maxTimeoutSeconds} s)` +
        (listeningPorts.length
          ? "."
          : `; a program meant to keep running belongs in a background process (processes.start, POST /api/sandbox/projects/${projectId}/processes, MCP start_dev_server).`),
    );
  } else {
    lines.push(`pantheon: the run was serving on ${ports} when it was cancelled.`);
  }
  const port = listeningPorts[0];
  if (port !== undefined) {
    const command = input.command.length > COMMAND_SHOWN || !input.command ? "<your server command>" : input.command;
    lines.push(
      `pantheon: a server belongs in a background process, which keeps running and gets a preview: the IDE's "Run in background" (Preview panel),` +
        ` processes.start ${JSON.stringify({ projectId, command, port })} (tRPC),` +
        ` POST /api/sandbox/projects/${projectId}/processes ${JSON.stringify({ command, port })} (REST),` +
        ` or start_dev_server ${JSON.stringify({ projectId, command, port })} (MCP).`,
    );
  }
  return lines.map((line) => `${line}\n`).join("");
}

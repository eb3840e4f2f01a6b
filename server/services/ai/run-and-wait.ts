import type { Actor } from "@/server/auth/actor";
import type { ExecutionRecord } from "@/server/repositories/execution-repository";
import type { ExecutionRequest } from "@/server/sandbox/execution-types";
import { type Diagnostic, parseDiagnostics } from "@/server/services/diagnostics/parse-diagnostics";
import type { ExecutionSettings, ExecutionWithFiles } from "@/server/services/executions/start-execution";
import { startExecution } from "@/server/services/executions/start-execution";

export type ExecutionWithDiagnostics = ExecutionWithFiles & { diagnostics: Diagnostic[] };

/**
 * Runs to completion (through the same path as every execution, so it streams and is limited) and
 * parses its errors. `follow`, if given, runs once the execution's row exists (e.g. to relay its
 * live output, as the MCP run tool does) and is awaited before the result is.
 */
export async function runAndWait(
  actor: Actor,
  projectId: number,
  request: ExecutionRequest,
  settings: ExecutionSettings,
  follow?: (execution: ExecutionRecord) => Promise<void>,
): Promise<ExecutionWithDiagnostics> {
  const { execution: row, done } = await startExecution(actor, projectId, request, settings);
  if (follow) await follow(row);
  const execution = await done;
  const diagnostics = execution.status === "success" ? [] : parseDiagnostics(execution.output ?? "", execution.errorOutput ?? "");
  return { ...execution, diagnostics };
}

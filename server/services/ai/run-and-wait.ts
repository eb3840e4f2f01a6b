import type { AiPersonality } from "@/lib/ai-personalities";
import type { AuthUser } from "@/server/auth/auth-user";
import type { ExecutionRequest } from "@/server/sandbox/execution-types";
import { type Diagnostic, parseDiagnostics } from "@/server/services/diagnostics/parse-diagnostics";
import type { ExecutionWithFiles } from "@/server/services/execution-service";
import { startExecution } from "@/server/services/executions/start-execution";

export type ExecutionWithDiagnostics = ExecutionWithFiles & { diagnostics: Diagnostic[] };

/** Runs to completion (through the same path as every execution, so it streams and is limited) and parses its errors. */
export async function runAndWait(user: AuthUser, projectId: number, request: ExecutionRequest, ai: AiPersonality | null): Promise<ExecutionWithDiagnostics> {
  const { done } = await startExecution(user, projectId, request, ai);
  const execution = await done;
  const diagnostics = execution.status === "success" ? [] : parseDiagnostics(execution.output ?? "", execution.errorOutput ?? "");
  return { ...execution, diagnostics };
}

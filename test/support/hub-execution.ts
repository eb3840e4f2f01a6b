import { executionRepository } from "@/server/repositories/execution-repository";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { executionOutcome } from "@/test/fixtures/execution-outcomes";

/**
 * A running execution as the server sees one (its row, open in this process's hub) whose
 * events the test pushes itself: streaming, resuming and feeds are tested without a container.
 */
export async function openHubExecution(projectId: number, userId: number, command = "echo test") {
  const row = await executionRepository.start({ projectId, userId, executedCode: command, language: null, executionType: "run", executedByAi: null });
  const hub = getExecutionHub();
  hub.open(row.id, projectId, new AbortController());
  let seq = 0;
  return {
    id: row.id,
    write(data: string, type: "stdout" | "stderr" = "stdout") {
      hub.push(row.id, { seq: ++seq, type, data });
    },
    async finish(exitCode = 0) {
      const exit: ExecutionEvent = { seq: ++seq, type: "exit", exitCode, status: exitCode === 0 ? "success" : "error", reason: null, truncated: false };
      await executionRepository.finish(row.id, executionOutcome({ exitCode, status: exit.status }));
      hub.push(row.id, exit);
    },
  };
}

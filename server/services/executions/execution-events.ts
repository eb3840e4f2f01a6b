import type { AuthUser } from "@/server/auth/auth-user";
import { type ExecutionRecord } from "@/server/repositories/execution-repository";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { followSequence } from "@/server/services/streams/follow-sequence";
import { getExecutionHub } from "./execution-hub";
import { requireExecution } from "./execution-queries";

const POLL_MS = 500;

/**
 * An execution's events after `lastEventId`, live. The listener is attached before the backlog
 * is replayed, so nothing is lost or repeated between them. Executions no longer in memory (or
 * run by another instance) replay from their row once finished: stdout, stderr, exit — or, for a
 * client resuming mid-stream, only the exit event (their full output is in executions.get).
 */
export async function* executionEvents(
  user: AuthUser,
  executionId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionEvent> {
  await requireExecution(user, executionId);
  const followed = yield* followSequence<ExecutionEvent>((listener) => getExecutionHub().subscribe(executionId, listener), lastEventId, signal);
  if (!followed) yield* replayFromDatabase(user, executionId, lastEventId, signal);
}

async function* replayFromDatabase(
  user: AuthUser,
  executionId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionEvent> {
  let row: ExecutionRecord = await requireExecution(user, executionId);
  while (row.finishedAt === null && !signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    row = await requireExecution(user, executionId);
  }
  if (row.finishedAt === null) return;
  const exit: ExecutionEvent = {
    seq: 0,
    type: "exit",
    exitCode: row.exitCode,
    status: row.status === "success" || row.status === "timeout" ? row.status : "error",
    reason: (row.statusReason as Extract<ExecutionEvent, { type: "exit" }>["reason"]) ?? null,
    truncated: row.outputTruncated,
  };
  if (lastEventId) {
    yield { ...exit, seq: lastEventId + 1 };
    return;
  }
  let seq = 0;
  if (row.output) yield { seq: ++seq, type: "stdout", data: row.output };
  if (row.errorOutput) yield { seq: ++seq, type: "stderr", data: row.errorOutput };
  yield { ...exit, seq: seq + 1 };
}

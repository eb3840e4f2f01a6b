import type { AuthUser } from "@/server/auth/auth-user";
import { type ExecutionRecord } from "@/server/repositories/execution-repository";
import { outputForTransport } from "@/server/sandbox/byte-text";
import type { ExecutionEvent, OutputEvent } from "@/server/sandbox/execution-types";
import { followSequence } from "@/server/services/streams/follow-sequence";
import { getExecutionHub } from "./execution-hub";
import { requireExecution } from "./execution-queries";

const POLL_MS = 500;

/**
 * An event as it leaves the server: `data` is text a client can show (invalid UTF-8 as U+FFFD,
 * NUL kept), and `dataBase64` the chunk's exact bytes, present only when `data` is not them.
 * Concatenating each event's bytes (dataBase64, else data as UTF-8) gives exactly what the
 * program wrote (and what is stored).
 */
export type ExecutionStreamEvent = Exclude<ExecutionEvent, OutputEvent> | (OutputEvent & { dataBase64?: string });

/** The engine's byte-exact text (server/sandbox/byte-text.ts) as text plus, when needed, bytes. */
export function toStreamEvent(event: ExecutionEvent): ExecutionStreamEvent {
  if (event.type === "exit") return event;
  const { text, base64 } = outputForTransport(event.data);
  return base64 === null ? event : { ...event, data: text, dataBase64: base64 };
}

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
): AsyncGenerator<ExecutionStreamEvent> {
  await requireExecution(user, executionId);
  const live = followSequence<ExecutionEvent>((listener) => getExecutionHub().subscribe(executionId, listener), lastEventId, signal);
  // yield* would hand back the raw events: each one leaves through toStreamEvent. A consumer that
  // stops early ends `live` too (its finally unsubscribes).
  let followed: boolean;
  try {
    let step = await live.next();
    while (!step.done) {
      yield toStreamEvent(step.value);
      step = await live.next();
    }
    followed = step.value;
  } finally {
    await live.return(false);
  }
  if (!followed) yield* replayFromDatabase(user, executionId, lastEventId, signal);
}

async function* replayFromDatabase(
  user: AuthUser,
  executionId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionStreamEvent> {
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
  const base64 = (value: string | null) => (value === null ? {} : { dataBase64: value });
  if (row.output) yield { seq: ++seq, type: "stdout", data: row.output, ...base64(row.outputBase64) };
  if (row.errorOutput) yield { seq: ++seq, type: "stderr", data: row.errorOutput, ...base64(row.errorOutputBase64) };
  yield { ...exit, seq: seq + 1 };
}

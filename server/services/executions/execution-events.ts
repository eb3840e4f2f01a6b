import type { AuthUser } from "@/server/auth/auth-user";
import { type ExecutionRecord, executionRepository } from "@/server/repositories/execution-repository";
import { outputForTransport } from "@/server/sandbox/byte-text";
import type { ExecutionEvent, OutputEvent } from "@/server/sandbox/execution-types";
import { followPeer } from "@/server/services/cluster/peer-follow";
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
 * is replayed, so nothing is lost or repeated between them. An execution run by another instance
 * is followed from that instance while it runs (services/cluster/peer-follow.ts: the same seqs,
 * the same seam rule on the owner's side). Executions no longer in memory anywhere replay from
 * their row once finished: stdout, stderr, exit — or, for a client resuming mid-stream (or whose
 * owner died mid-stream), only the exit event (their full output is in executions.get).
 */
export async function* executionEvents(
  user: AuthUser,
  executionId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionStreamEvent> {
  await requireExecution(user, executionId);
  let last = lastEventId ?? 0;
  while (!signal?.aborted) {
    const local = followSequence<ExecutionEvent>((listener) => getExecutionHub().subscribe(executionId, listener), last, signal);
    if (yield* relay(local)) return;
    const owner = await executionRepository.runningOn(executionId);
    if (!owner) break;
    const remote = followPeer<ExecutionEvent>(owner, "executions", executionId, last, signal);
    if ((yield* relay(remote)) === "ended") return;
    // Not opened on its owner yet, or the owner is unreachable or dead (the sweeper ends its row).
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  yield* replayFromDatabase(user, executionId, last || null, signal);

  /** Yields `events` as they leave the server, noting the last seq; returns what the stream returned. */
  async function* relay<R>(events: AsyncGenerator<ExecutionEvent, R>): AsyncGenerator<ExecutionStreamEvent, R> {
    // yield* would hand back the raw events: each one leaves through toStreamEvent. A consumer that
    // stops early ends `events` too (its finally unsubscribes).
    try {
      let step = await events.next();
      while (!step.done) {
        last = step.value.seq;
        yield toStreamEvent(step.value);
        step = await events.next();
      }
      return step.value;
    } finally {
      await events.return(undefined as R);
    }
  }
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

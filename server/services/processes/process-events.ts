import type { AuthUser } from "@/server/auth/auth-user";
import { processRepository } from "@/server/repositories/process-repository";
import { outputForTransport } from "@/server/sandbox/byte-text";
import { followPeer } from "@/server/services/cluster/peer-follow";
import { followSequence } from "@/server/services/streams/follow-sequence";
import { liveProcesses } from "./live-processes";
import type { ProcessEvent, ProcessStatus } from "./process-output";
import { requireProcess } from "./process-service";

/** An event as it leaves the server: `data` text to show, `dataBase64` the exact bytes when `data` is not them. */
export type ProcessStreamEvent = (Exclude<ProcessEvent, { type: "exit" }> & { dataBase64?: string }) | Extract<ProcessEvent, { type: "exit" }>;

function toStreamEvent(event: ProcessEvent): ProcessStreamEvent {
  if (event.type === "exit") return event;
  const { text, base64 } = outputForTransport(event.data);
  return base64 === null ? event : { ...event, data: text, dataBase64: base64 };
}

/** How often a follower whose process runs elsewhere re-reads its row while its owner cannot be followed. */
const POLL_MS = 500;

/**
 * A background process's output after `lastEventId`, then live until it ends. The listener is
 * attached before the kept backlog is replayed, so nothing is lost or repeated between them. A
 * process running on another instance is followed from that instance (services/cluster/
 * peer-follow.ts). A process that already ended replays its saved output as one event, then its
 * exit (only the exit for a client that already had some of it).
 */
export async function* processEvents(
  user: AuthUser,
  processId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ProcessStreamEvent> {
  await requireProcess(user, processId);
  let last = lastEventId ?? 0;
  while (!signal?.aborted) {
    const live = liveProcesses().get(processId);
    if (live) {
      for await (const event of followSequence<ProcessEvent>((listener) => live.output.subscribe(listener), last, signal)) {
        last = event.seq;
        yield toStreamEvent(event);
      }
      return;
    }
    const owner = await processRepository.runningOn(processId);
    if (!owner) break;
    const remote = followPeer<ProcessEvent>(owner, "processes", processId, last, signal);
    let step = await remote.next();
    try {
      while (!step.done) {
        last = step.value.seq;
        yield toStreamEvent(step.value);
        step = await remote.next();
      }
    } finally {
      await remote.return("lost");
    }
    if (step.value === "ended") return;
    // Not started on its owner yet, or the owner is unreachable or dead (the sweeper ends its row).
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (!signal?.aborted) yield* replayEnded(processId, last || null);
}

async function* replayEnded(processId: number, lastEventId: number | null): AsyncGenerator<ProcessStreamEvent> {
  const row = await processRepository.findWithOutput(processId);
  if (!row) return;
  const status = (row.status === "running" ? "exited" : row.status) as Exclude<ProcessStatus, "running">;
  // Sequence numbers of a saved process start over: the saved output is one event.
  if (lastEventId) {
    yield { seq: lastEventId + 1, type: "exit", status, exitCode: row.exitCode };
    return;
  }
  if (row.output) yield { seq: 1, type: "stdout", data: row.output, ...(row.outputBase64 === null ? {} : { dataBase64: row.outputBase64 }) };
  yield { seq: row.output ? 2 : 1, type: "exit", status, exitCode: row.exitCode };
}

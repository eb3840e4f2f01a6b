import type { AuthUser } from "@/server/auth/auth-user";
import { processRepository } from "@/server/repositories/process-repository";
import { outputForTransport } from "@/server/sandbox/byte-text";
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

/**
 * A background process's output after `lastEventId`, then live until it ends. The listener is
 * attached before the kept backlog is replayed, so nothing is lost or repeated between them. A
 * process that already ended replays its saved output as one event, then its exit.
 */
export async function* processEvents(
  user: AuthUser,
  processId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ProcessStreamEvent> {
  await requireProcess(user, processId);
  const live = liveProcesses().get(processId);
  if (!live) {
    yield* replayEnded(processId, lastEventId);
    return;
  }
  for await (const event of followSequence<ProcessEvent>((listener) => live.output.subscribe(listener), lastEventId, signal)) yield toStreamEvent(event);
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

import type { AuthUser } from "@/server/auth/auth-user";
import { processRepository } from "@/server/repositories/process-repository";
import { followSequence } from "@/server/services/streams/follow-sequence";
import { liveProcesses } from "./live-processes";
import type { ProcessEvent, ProcessStatus } from "./process-output";
import { requireProcess } from "./process-service";

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
): AsyncGenerator<ProcessEvent> {
  await requireProcess(user, processId);
  const live = liveProcesses().get(processId);
  if (!live) {
    yield* replayEnded(processId, lastEventId);
    return;
  }
  yield* followSequence<ProcessEvent>((listener) => live.output.subscribe(listener), lastEventId, signal);
}

async function* replayEnded(processId: number, lastEventId: number | null): AsyncGenerator<ProcessEvent> {
  const row = await processRepository.findWithOutput(processId);
  if (!row) return;
  const status = (row.status === "running" ? "exited" : row.status) as Exclude<ProcessStatus, "running">;
  // Sequence numbers of a saved process start over: the saved output is one event.
  if (lastEventId) {
    yield { seq: lastEventId + 1, type: "exit", status, exitCode: row.exitCode };
    return;
  }
  if (row.output) yield { seq: 1, type: "stdout", data: row.output };
  yield { seq: row.output ? 2 : 1, type: "exit", status, exitCode: row.exitCode };
}

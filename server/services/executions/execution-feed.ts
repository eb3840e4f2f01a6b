import type { AuthUser } from "@/server/auth/auth-user";
import { type ExecutionSummary, executionRepository } from "@/server/repositories/execution-repository";
import { requireProject } from "@/server/services/projects/project-access";
import { getExecutionHub } from "./execution-hub";

/** How many executions a (re)connecting feed replays at most. */
const BACKLOG = 50;

/**
 * Announces the project's executions as they start, whoever started them (the IDE, the chat
 * service's API key, an AI tool), so an open IDE can stream each one's output. A fresh feed
 * first announces the executions still running; one resuming after `lastEventId` (an execution
 * id) announces those started since. The watcher is attached before the backlog is read, and
 * ids already announced are skipped, so none is lost or repeated between the two.
 */
export async function* projectExecutionFeed(
  user: AuthUser,
  projectId: number,
  lastEventId: number | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionSummary> {
  await requireProject(user, projectId, "read");
  const queue: number[] = [];
  let wake: (() => void) | null = null;
  const stopWatching = getExecutionHub().watchProject(projectId, (id) => {
    queue.push(id);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    const announced = new Set<number>();
    const backlog = await executionRepository.listForFeed(projectId, lastEventId === null ? { running: true } : { afterId: lastEventId }, BACKLOG);
    for (const row of backlog) {
      announced.add(row.id);
      yield row;
    }
    while (!signal?.aborted) {
      const id = queue.shift();
      if (id === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if (announced.has(id) || (lastEventId !== null && id <= lastEventId)) continue;
      const row = await executionRepository.findSummaryById(id);
      if (!row) continue;
      announced.add(id);
      yield row;
    }
  } finally {
    stopWatching();
    signal?.removeEventListener("abort", onAbort);
  }
}

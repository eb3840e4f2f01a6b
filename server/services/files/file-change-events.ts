import type { AuthUser } from "@/server/auth/auth-user";
import { requireProject } from "@/server/services/projects/project-access";
import { type FileChangeEvent, getFileChangeHub } from "./file-change-hub";

/**
 * A project's file changes after `lastEventId`, live, until `signal` aborts. The listener is
 * attached before the missed changes are worked out, so nothing falls between them; a subscriber
 * whose position is unknown first gets a resync event.
 */
export async function* fileChangeEvents(
  user: AuthUser,
  projectId: number,
  lastEventId: string | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<FileChangeEvent> {
  await requireProject(user, projectId, "read");
  const queue: FileChangeEvent[] = [];
  let wake: (() => void) | null = null;
  const subscription = getFileChangeHub().subscribe(projectId, lastEventId, (change) => {
    queue.push({ type: "change", ...change });
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    queue.unshift(...subscription.missed);
    while (!signal?.aborted) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    subscription.unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}

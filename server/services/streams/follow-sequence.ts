/** A live subscription to a sequenced stream: events kept so far, and a way to stop listening. */
export interface SequenceSubscription<E> {
  readonly backlog: readonly E[];
  unsubscribe(): void;
}

/**
 * Follows a sequenced stream (an execution's or a background process's output) after
 * `lastEventId` until its "exit" event or the signal. The listener is attached before the kept
 * backlog is replayed, so nothing is lost or repeated between them; events at or before the last
 * one yielded are skipped. Returns false, yielding nothing, when `subscribe` finds no live stream
 * (the caller replays from storage instead).
 */
export async function* followSequence<E extends { seq: number; type: string }>(
  subscribe: (listener: (event: E) => void) => SequenceSubscription<E> | null | undefined,
  lastEventId: number | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<E, boolean> {
  const queue: E[] = [];
  let wake: (() => void) | null = null;
  const subscription = subscribe((event) => {
    queue.push(event);
    wake?.();
  });
  if (!subscription) return false;
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    let last = lastEventId ?? 0;
    queue.unshift(...subscription.backlog);
    while (!signal?.aborted) {
      const event = queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if (event.seq <= last) continue;
      last = event.seq;
      yield event;
      if (event.type === "exit") break;
    }
    return true;
  } finally {
    subscription.unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}

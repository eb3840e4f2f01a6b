import { CLUSTER_PATH_PREFIX, peerRequest } from "./instance-peers";
import { PING_MS } from "./cluster-routes";

/** The owner is taken for gone after this long without a line (it pings every PING_MS). */
const SILENT_MS = 4 * PING_MS;

/** Why a follow of a peer's stream stopped. */
export type PeerFollowEnd =
  /** The exit event was yielded. */
  | "ended"
  /** No stream to follow: the owner is this instance, dead, unreachable, or no longer holds the run (404). */
  | "unavailable"
  /** The stream broke or went silent before the exit (the owner died or the network did): decide from the database. */
  | "lost";

/**
 * Follows an execution's or a process's events from the instance that runs it
 * (cluster-routes.ts), after `after`, in order: the owner replays what it keeps after that seq,
 * then live events, over one HTTP response; the owner's own hub attaches the listener before
 * the backlog, so there is no gap or repeat at the seam. Events at or before the last yielded are
 * skipped (a resumed follow never repeats). Ends with the exit event, the signal, or the owner.
 */
export async function* followPeer<E extends { seq: number; type: string }>(
  owner: string | null,
  kind: "executions" | "processes",
  id: number,
  after: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<E, PeerFollowEnd> {
  const request = await peerRequest(owner, "GET", `${CLUSTER_PATH_PREFIX}${kind}/${id}/events?after=${after}`);
  if (!request || signal?.aborted) return "unavailable";
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal?.addEventListener("abort", onAbort);
  let silence = setTimeout(() => abort.abort(), SILENT_MS);
  const heard = () => {
    clearTimeout(silence);
    silence = setTimeout(() => abort.abort(), SILENT_MS);
  };
  let last = after;
  try {
    const res = await fetch(request.url, { headers: request.headers, signal: abort.signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => {});
      return res.status === 404 ? "unavailable" : "lost";
    }
    const decoder = new TextDecoder();
    let buffered = "";
    const reader = res.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      heard();
      buffered += decoder.decode(read.value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        const event = JSON.parse(line) as E;
        if (event.type === "ping" || event.seq <= last) continue;
        last = event.seq;
        yield event;
        if (event.type === "exit") return "ended";
      }
    }
    return "lost";
  } catch {
    // Refused, reset, silent, or a torn line: whatever broke, the database decides what follows.
    return "lost";
  } finally {
    clearTimeout(silence);
    abort.abort();
    signal?.removeEventListener("abort", onAbort);
  }
}

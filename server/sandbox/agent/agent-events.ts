import { agentProtocolError } from "./agent-errors";
import { decodeAgentPath } from "./agent-paths";
import type { RefusedFile } from "../workspace-files";
import {
  FileChange_Kind,
  FileType,
  type Exited,
  type FileEntry,
  type ListFilesResponse,
  type ProcessEvent,
  type Stream,
  type WatchResponse,
} from "./gen/pantheon/agent/v1/agent_pb";

// What the agent streams, checked before the engine acts on it: the contract's promises (seq
// 1, 2, 3… without gaps, output ≤ 64 KiB per event, `exited` last and once) are verified, not
// assumed, and file names go through decodeAgentPath. A broken promise fails the call.

export const MAX_OUTPUT_EVENT_BYTES = 64 * 1024;

export type CheckedProcessEvent =
  | { seq: number; type: "started"; pid: number }
  | { seq: number; type: "output"; stream: Stream; data: Uint8Array }
  | { seq: number; type: "gap"; droppedEvents: number }
  | { seq: number; type: "exited"; exited: Exited };

/**
 * After `exited`, how long the end of the call (the agent's end-of-stream message, sent right
 * after it) is awaited before the call is abandoned. Reading the call to its end matters: a call
 * abandoned mid-stream is reset (RST_STREAM INTERNAL_ERROR), and node builds and emits an error
 * for each such stream — about a quarter of this process's CPU per execution (profiled at 50
 * projects at once). An agent that keeps the stream open past its exit costs at most this.
 */
const END_AFTER_EXIT_MS = 1_000;

/**
 * The events of Start (or Connect after `afterSeq`), checked. Ends after `exited`; a stream that
 * ends without it fails (the agent died or lied), so an execution can never pass for finished.
 */
export async function* checkedProcessEvents(
  events: AsyncIterable<ProcessEvent>,
  call = "agent ProcessService.Start",
  afterSeq = 0,
  /** Cuts the call (its signal) when the agent does not end it after the exit event. */
  cancel?: () => void,
): AsyncGenerator<CheckedProcessEvent> {
  let expected = afterSeq + 1;
  const iterator = events[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      const event = next.value;
      // uint64 on the wire: anything past 2^53 is not a sequence number we issued.
      if (event.seq !== BigInt(expected)) {
        // After a Connect, the first event may be a gap that jumps over dropped ones.
        if (!(event.event.case === "gap" && event.seq > BigInt(expected) && event.seq <= BigInt(Number.MAX_SAFE_INTEGER))) {
          throw agentProtocolError(call, `event seq ${event.seq} where ${expected} was due`);
        }
      }
      const seq = Number(event.seq);
      expected = seq + 1;
      switch (event.event.case) {
        case "started":
          yield { seq, type: "started", pid: event.event.value.pid };
          break;
        case "output": {
          const { data, stream } = event.event.value;
          if (data.length > MAX_OUTPUT_EVENT_BYTES) throw agentProtocolError(call, `output event of ${data.length} bytes`);
          yield { seq, type: "output", stream, data };
          break;
        }
        case "gap":
          yield { seq, type: "gap", droppedEvents: Number(event.event.value.droppedEvents) };
          break;
        case "exited":
          yield { seq, type: "exited", exited: event.event.value };
          // The call's end, briefly awaited; anything else after the exit is ignored, as before.
          if (!(await endsSoon(iterator))) {
            // A next() is still pending: return() would queue behind it (it waits for the agent),
            // so it is not awaited; the caller's signal (or the call's deadline) cuts the call.
            cancel?.();
            void iterator.return?.().catch(() => {});
          }
          finished = true;
          return;
        default:
          throw agentProtocolError(call, `event ${seq} of no known kind`);
      }
    }
  } finally {
    // Left early (an error, the caller stopped, or no end after the exit): the call is cancelled.
    if (!finished) await iterator.return?.();
  }
  throw agentProtocolError(call, "the stream ended before the exit event");
}

/** Whether the iterator ends within END_AFTER_EXIT_MS (its next result is `done`). */
async function endsSoon(iterator: AsyncIterator<ProcessEvent>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), END_AFTER_EXIT_MS)));
  try {
    const next = await Promise.race([iterator.next().catch(() => ({ done: false as const })), late]);
    return next !== "late" && next.done === true;
  } finally {
    clearTimeout(timer);
  }
}

export interface CheckedEntry {
  path: string;
  type: FileType;
  size: number;
  mode: number;
  mtimeNs: bigint;
}

export interface CheckedListing {
  entries: CheckedEntry[];
  refused: RefusedFile[];
}

/** An entry whose name the host accepts, or the refusal to report. */
export function checkEntry(entry: FileEntry): { ok: true; entry: CheckedEntry } | { ok: false; refused: RefusedFile } {
  const decoded = decodeAgentPath(entry.path);
  if (!decoded.ok) return decoded;
  if (entry.size > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, refused: { path: decoded.path, reason: "too-large" } };
  const type = entry.type in FileType ? entry.type : FileType.OTHER;
  return { ok: true, entry: { path: decoded.path, type, size: Number(entry.size), mode: entry.mode & 0o7777, mtimeNs: entry.mtimeNs } };
}

export function checkListing(batch: ListFilesResponse): CheckedListing {
  const listing: CheckedListing = { entries: [], refused: [] };
  for (const raw of batch.entries) {
    const checked = checkEntry(raw);
    if (checked.ok) listing.entries.push(checked.entry);
    else listing.refused.push(checked.refused);
  }
  return listing;
}

export type CheckedChange = { path: string; kind: "written"; entry: CheckedEntry | null; content: Uint8Array | null } | { path: string; kind: "removed" };

export interface CheckedWatchBatch {
  ready: boolean;
  overflow: boolean;
  changes: CheckedChange[];
  refused: RefusedFile[];
}

/** A watch batch; `inlineMaxBytes` is what we asked for, so larger inline content is a lie. */
export function checkWatchBatch(batch: WatchResponse, inlineMaxBytes: number, call = "agent FileService.Watch"): CheckedWatchBatch {
  const out: CheckedWatchBatch = { ready: batch.ready, overflow: batch.overflow, changes: [], refused: [] };
  for (const change of batch.changes) {
    const decoded = decodeAgentPath(change.path);
    if (!decoded.ok) {
      out.refused.push(decoded.refused);
      continue;
    }
    if (change.kind === FileChange_Kind.REMOVED) {
      out.changes.push({ path: decoded.path, kind: "removed" });
      continue;
    }
    if (change.kind !== FileChange_Kind.WRITTEN) throw agentProtocolError(call, "a change of no known kind");
    if (change.content !== undefined && change.content.length > inlineMaxBytes)
      throw agentProtocolError(call, `inline content of ${change.content.length} bytes`);
    let entry: CheckedEntry | null = null;
    if (change.entry) {
      const checked = checkEntry(change.entry);
      // The entry names the same file: a different name in it is not to be believed.
      if (!checked.ok || checked.entry.path !== decoded.path) throw agentProtocolError(call, "a change whose entry names another file");
      entry = checked.entry;
    }
    out.changes.push({ path: decoded.path, kind: "written", entry, content: change.content ?? null });
  }
  return out;
}

export interface CheckedWrites {
  /** Paths the host accepts, to save. */
  paths: string[];
  refused: RefusedFile[];
  /** Too many to list, or a name the host cannot trust: save by a full listing instead. */
  overflow: boolean;
}

/**
 * The exit event's written paths, as bytes: each is decoded strictly and checked like any name
 * from the agent, so a name that is not UTF-8 (or holds a newline, `..`) is refused by name,
 * escaped, and never looked up.
 */
export function checkWrites(exited: Exited): CheckedWrites {
  const out: CheckedWrites = { paths: [], refused: [], overflow: exited.writesOverflow };
  for (const path of exited.writtenPaths) {
    const decoded = decodeAgentPath(path);
    if (decoded.ok) out.paths.push(decoded.path);
    else out.refused.push(decoded.refused);
  }
  // A refused directory is named by the refused files inside it, as the full listing names them.
  out.refused = out.refused.filter((r) => !out.refused.some((o) => o !== r && o.path.startsWith(`${r.path}/`)));
  return out;
}

import type { Logger } from "pino";
import { sleep } from "./abort";
import type { AgentConnection } from "./agent/agent-connection";
import { checkWatchBatch, type CheckedChange } from "./agent/agent-events";
import { resyncThroughAgent, saveWatchedThroughAgent, type AgentSaveTarget, type SaveLimits, type SavedChanges } from "./agent-save";
import type { RefusedFile, WorkspaceStore } from "./workspace-files";
import type { Manifest } from "./workspace-manifest";

// Files changed outside executions — by an interactive shell, a background process, a dev server
// — reach the store through the agent's recursive watch (FileService.Watch, inotify), one stream
// per leased container: no listing of the workspace per change, per shell command or per run.
//
// The agent batches events (debounce_ms, at most 1 s), naming each path with its stat and, for
// small files, its content; each round here saves every path named since the last round in ONE
// store call (one transaction), under the lease's save lock. The content is used only if the file
// is still as the agent saw it (agent-save.ts): an edit the engine mirrored in since (an IDE save)
// is never overwritten in the store by the older bytes.
//
// Rounds wait while an execution runs: its exit saves (and reports) what it wrote first, and
// what is left is then saved here. Lost events — the kernel's queue overflowed, too many paths,
// the stream broke — turn into one listing of the workspace (resync), never into a gap.

/** What the agent may hold before it sends (it sends after this much quiet, or after 1 s). */
export const WATCH_DEBOUNCE_MS = 100;
/** Files up to this size come with their content in the watch's batches (no read per file). */
export const WATCH_INLINE_BYTES = 64 * 1024;
/** More distinct paths than this waiting: one listing instead (and a bound on what we hold). */
const MAX_DIRTY_PATHS = 20_000;
const BUSY_POLL_MS = 50;
const RESTART_DELAY_MS = 200;
/** How long settle() waits at most for the agent's quiet period and the saves after it. */
const SETTLE_MAX_MS = 3_000;

export interface LeaseWatchOptions {
  projectId: string;
  agent: AgentConnection;
  store: WorkspaceStore;
  limits: SaveLimits;
  log: Logger;
  /** The lease's manifest (null once the workspace is not usable). */
  manifest: () => Manifest | null;
  /** Runs a save under the lease's save lock and the engine's deadline for it. */
  exclusive: <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** Whether an execution is in flight in the container. */
  busy: () => boolean;
  /** Aborted when the container dies or is released. */
  died: AbortSignal;
  debounceMs?: number;
}

export interface WatchCounters {
  /** Save rounds that stored something (each one store call, one transaction). */
  rounds: number;
  resyncs: number;
  /** Watch streams opened (more than one: it broke and was reopened). */
  streams: number;
}

function emptyChanges(): SavedChanges {
  return { upserted: [], deleted: [], refused: [] };
}

export class LeaseWatch {
  readonly counters: WatchCounters = { rounds: 0, resyncs: 0, streams: 0 };
  private readonly stop = new AbortController();
  private readonly debounceMs: number;
  private readonly inlineBytes: number;
  /** The latest change seen of each path not saved yet. */
  private dirty = new Map<string, CheckedChange>();
  private refused: RefusedFile[] = [];
  private needResync = false;
  private draining: Promise<void> | null = null;
  private lastBatchAt = 0;
  /** Saved since the last settle(): what a caller asking to sync is told. */
  private recent = emptyChanges();
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (err: unknown) => void;
  /** The current stream's own abort: killing it (tests, a stuck stream) makes the watch reopen and resync. */
  private streamAbort: AbortController | null = null;

  private constructor(private readonly opts: LeaseWatchOptions) {
    this.debounceMs = opts.debounceMs ?? WATCH_DEBOUNCE_MS;
    this.inlineBytes = Math.min(WATCH_INLINE_BYTES, opts.limits.maxFileSize);
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    void this.ready.catch(() => {});
    opts.died.addEventListener("abort", () => this.close(), { once: true });
  }

  /** Opens the watch; resolves once the agent's inotify watch is in place (its first message). */
  static async start(opts: LeaseWatchOptions): Promise<LeaseWatch> {
    const watch = new LeaseWatch(opts);
    void watch.follow();
    try {
      await watch.ready;
    } catch (err) {
      watch.close();
      throw err;
    }
    return watch;
  }

  get closed(): boolean {
    return this.stop.signal.aborted;
  }

  close(): void {
    if (!this.stop.signal.aborted) this.stop.abort();
  }

  /** Ends the current stream as if it broke (a test of the fallback): the watch reopens and resyncs. */
  breakStream(): void {
    this.streamAbort?.abort();
  }

  private async follow(): Promise<void> {
    const { agent, limits, log, projectId } = this.opts;
    let opened = false;
    while (!this.closed) {
      const streamAbort = new AbortController();
      this.streamAbort = streamAbort;
      try {
        const call = agent.files.watch(
          { debounceMs: this.debounceMs, inlineMaxBytes: BigInt(this.inlineBytes), skipDirs: [...limits.ignore] },
          { timeoutMs: 0, signal: AbortSignal.any([this.stop.signal, streamAbort.signal]) },
        );
        for await (const raw of call) {
          const batch = checkWatchBatch(raw, this.inlineBytes);
          if (batch.ready) {
            this.counters.streams++;
            // Whatever changed while no stream was open is found by one listing.
            if (opened) this.needResync = true;
            opened = true;
            this.markReady();
          }
          this.lastBatchAt = performance.now();
          for (const change of batch.changes) this.dirty.set(change.path, change);
          this.refused.push(...batch.refused);
          if (batch.overflow) this.needResync = true;
          if (this.dirty.size > MAX_DIRTY_PATHS) {
            this.dirty.clear();
            this.needResync = true;
          }
          this.schedule();
        }
        if (!this.closed && !streamAbort.signal.aborted) log.warn({ containerId: agent.containerId, projectId }, "the agent ended the watch stream; reopening");
      } catch (err) {
        if (this.closed) return;
        if (!opened) {
          this.failReady(err);
          return;
        }
        if (!streamAbort.signal.aborted) log.warn({ containerId: agent.containerId, projectId, err }, "the watch stream failed; reopening");
      }
      if (agent.isDead) {
        this.close();
        return;
      }
      this.needResync = true;
      await sleep(RESTART_DELAY_MS, this.stop.signal);
    }
  }

  private pending(): boolean {
    return this.dirty.size > 0 || this.refused.length > 0 || this.needResync;
  }

  private schedule(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.pending()) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.pending() && !this.closed) {
      if (this.opts.busy()) {
        await sleep(BUSY_POLL_MS, this.stop.signal);
        continue;
      }
      const paths = this.dirty;
      const refused = this.refused;
      const resync = this.needResync;
      this.dirty = new Map();
      this.refused = [];
      this.needResync = false;
      try {
        const saved = await this.save(resync ? "resync" : paths, refused);
        if (saved) this.note(saved);
        failures = 0;
      } catch (err) {
        if (this.closed) return;
        // Nothing of this round was saved (the manifest did not move): look at it all again.
        for (const [path, change] of paths) if (!this.dirty.has(path)) this.dirty.set(path, change);
        this.refused.unshift(...refused);
        this.needResync ||= resync;
        failures++;
        this.opts.log.warn(
          { containerId: this.opts.agent.containerId, projectId: this.opts.projectId, err, failures },
          "saving watched changes failed; retrying",
        );
        await sleep(Math.min(5_000, 100 * 2 ** failures), this.stop.signal);
      }
    }
  }

  private save(what: ReadonlyMap<string, CheckedChange> | "resync", refused: readonly RefusedFile[]): Promise<SavedChanges | null> {
    return this.opts.exclusive(async (signal) => {
      const manifest = this.opts.manifest();
      if (!manifest) return null;
      const target: AgentSaveTarget = {
        projectId: this.opts.projectId,
        agent: this.opts.agent,
        manifest,
        store: this.opts.store,
        limits: this.opts.limits,
        signal,
      };
      if (what === "resync") {
        this.counters.resyncs++;
        const saved = await resyncThroughAgent(target);
        return { ...saved, refused: [...refused, ...saved.refused] };
      }
      return saveWatchedThroughAgent(target, what, refused);
    });
  }

  private note(saved: SavedChanges): void {
    if (!saved.upserted.length && !saved.deleted.length && !saved.refused.length) return;
    this.counters.rounds++;
    // Bounded: only a caller of settle() reads it, and it only needs the names.
    if (this.recent.upserted.length + this.recent.deleted.length < 10_000) {
      this.recent.upserted.push(...saved.upserted);
      this.recent.deleted.push(...saved.deleted);
      this.recent.refused.push(...saved.refused.slice(0, 1_000));
    }
  }

  /**
   * Waits (at most a few seconds) for the agent's quiet period to pass without a batch and for
   * the saves after it; returns what was saved since the last call. A shell that closes asks this.
   */
  async settle(): Promise<SavedChanges> {
    const calledAt = performance.now();
    const deadline = calledAt + SETTLE_MAX_MS;
    // A write just before the call is still in the agent's quiet period: wait at least that long.
    const quietMs = this.debounceMs * 3 + 200;
    while (!this.closed && performance.now() < deadline) {
      if (this.draining) {
        await this.draining;
        continue;
      }
      if (this.pending()) {
        this.schedule();
        continue;
      }
      if (performance.now() - Math.max(this.lastBatchAt, calledAt) >= quietMs) break;
      await sleep(25);
    }
    const out = this.recent;
    this.recent = emptyChanges();
    return { upserted: [...new Set(out.upserted)].sort(), deleted: [...new Set(out.deleted)].sort(), refused: out.refused };
  }

  /**
   * Before the container goes: stops following and saves what one listing finds changed (writes
   * the agent still held in its quiet period included). Throws when it could not.
   */
  async finish(): Promise<SavedChanges | null> {
    this.close();
    await this.draining?.catch(() => {});
    const refused = this.refused;
    this.refused = [];
    return this.save("resync", refused);
  }
}

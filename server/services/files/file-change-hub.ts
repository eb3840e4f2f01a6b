import { getAppRuntime } from "@/server/process/app-runtime";
import { randomBytes } from "node:crypto";

/** Who changed the files: a person or AI through the API, or a program in the container. */
export type FileChangeSource = "api" | "execution";

export interface FileChange {
  /** Increasing across all projects in this process, never reused within an epoch. */
  seq: number;
  upserted: string[];
  /** The new version (SHA-256 of the bytes) of each upserted path: a client holding it has nothing to fetch. */
  versions: Record<string, string>;
  deleted: string[];
  /** Files an execution left that were not saved, and why (a name that is not UTF-8, a symlink...). */
  refused: { path: string; reason: string; detail: string | null }[];
  source: FileChangeSource;
  /** The AI personality that made an API change, when one did. */
  aiPersonality: string | null;
  /** The checkpoint that recorded an API change set, so an open History panel shows it at once. */
  checkpointId?: number | null;
  at: Date;
}

/**
 * What a subscriber receives: a change, or "resync" when the changes after its last event id are
 * no longer known (another process epoch, or evicted from the backlog) and it should reload everything.
 */
export type FileChangeEvent = ({ type: "change" } & FileChange) | { type: "resync"; seq: number };

type Listener = (change: FileChange) => void;

interface ProjectFeed {
  backlog: FileChange[];
  listeners: Set<Listener>;
  /** Changes of this project with a seq up to this one may be unknown here (trimmed, or before the feed existed). */
  floor: number;
  touchedAt: number;
}

/**
 * Per-project file change feed, in memory. Event ids carry this process's epoch, so a client that
 * reconnects to a restarted server (whose seqs start over) is told to resync rather than trusting
 * numbers from another life. Changes made on other instances arrive through the feed relay.
 */
export class FileChangeHub {
  readonly epoch = randomBytes(4).toString("hex");
  private readonly feeds = new Map<number, ProjectFeed>();
  private seq = 0;
  /** Told of each change made here (not of relayed ones): the feed relay sends it to the other instances. */
  onLocalChange: ((projectId: number, change: FileChange) => void) | null = null;

  constructor(
    private readonly backlogSize = 200,
    /** A project nobody listens to forgets its backlog after this. */
    private readonly retainMs = 15 * 60_000,
  ) {}

  publish(projectId: number, change: Omit<FileChange, "seq" | "at">): FileChange | null {
    const published = this.add(projectId, change, new Date());
    if (published) this.onLocalChange?.(projectId, published);
    return published;
  }

  /**
   * A change another instance made (server/services/cluster/feed-relay.ts), under a seq of this
   * process; kept only for a project someone here follows or followed lately (a later subscriber
   * resyncs anyway).
   */
  relay(projectId: number, change: Omit<FileChange, "seq">): FileChange | null {
    if (!this.feeds.has(projectId)) return null;
    return this.add(projectId, change, change.at);
  }

  /** A change made here, by its seq, while it is kept (a peer fetches one too large for a notification). */
  changeAt(projectId: number, seq: number): FileChange | null {
    return this.feeds.get(projectId)?.backlog.find((c) => c.seq === seq) ?? null;
  }

  private add(projectId: number, change: Omit<FileChange, "seq" | "at">, at: Date): FileChange | null {
    if (!change.upserted.length && !change.deleted.length && !change.refused.length) return null;
    this.sweep();
    const feed = this.feed(projectId);
    const published: FileChange = { ...change, seq: ++this.seq, at };
    feed.backlog.push(published);
    feed.touchedAt = Date.now();
    const excess = feed.backlog.length - this.backlogSize;
    if (excess > 0) feed.floor = feed.backlog.splice(0, excess).at(-1)?.seq ?? feed.floor;
    for (const listener of feed.listeners) listener(published);
    return published;
  }

  eventId(seq: number): string {
    return `${this.epoch}:${seq}`;
  }

  /**
   * Registers the listener and, in the same synchronous step, works out what the subscriber missed
   * after `lastEventId`: the backlog after it, or a resync event when that cannot be known. A first
   * subscription (no id) gets a resync too, which tells it the current position.
   */
  subscribe(projectId: number, lastEventId: string | null, listener: Listener): { missed: FileChangeEvent[]; unsubscribe: () => void } {
    const feed = this.feed(projectId);
    feed.listeners.add(listener);
    const unsubscribe = () => {
      feed.listeners.delete(listener);
      feed.touchedAt = Date.now();
    };
    return { missed: this.missedAfter(feed, lastEventId), unsubscribe };
  }

  private missedAfter(feed: ProjectFeed, lastEventId: string | null): FileChangeEvent[] {
    const resync: FileChangeEvent[] = [{ type: "resync", seq: this.seq }];
    const match = lastEventId?.match(/^([0-9a-f]+):(\d+)$/);
    if (!match || match[1] !== this.epoch) return resync;
    const last = Number(match[2]);
    if (last > this.seq || last < feed.floor) return resync;
    return feed.backlog.filter((c) => c.seq > last).map((c) => ({ type: "change", ...c }));
  }

  private feed(projectId: number): ProjectFeed {
    let feed = this.feeds.get(projectId);
    if (!feed) {
      feed = { backlog: [], listeners: new Set(), floor: this.seq, touchedAt: Date.now() };
      this.feeds.set(projectId, feed);
    }
    return feed;
  }

  /** Forgets projects nobody has listened to or changed for retainMs (a later subscriber resyncs). */
  private sweep(): void {
    const cutoff = Date.now() - this.retainMs;
    for (const [projectId, feed] of this.feeds) if (!feed.listeners.size && feed.touchedAt < cutoff) this.feeds.delete(projectId);
  }
}

/** One hub per process (in the process registry, server/process/app-runtime.ts). */
export function getFileChangeHub(): FileChangeHub {
  const runtime = getAppRuntime();
  runtime.fileChangeHub ??= new FileChangeHub();
  return runtime.fileChangeHub;
}

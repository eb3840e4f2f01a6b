import { getAppRuntime } from "@/server/process/app-runtime";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";

type Listener = (event: ExecutionEvent) => void;
type OpenListener = (executionId: number) => void;

interface HubEntry {
  projectId: number;
  events: ExecutionEvent[];
  listeners: Set<Listener>;
  controller: AbortController;
  finishedAt: number | null;
}

/**
 * The events of running and recently finished executions, in memory, so a subscriber that
 * reconnects resumes after its last event id. Finished entries are kept for `retainMs` and at most
 * `maxFinished` of them; older ones replay from their database row. The engine caps each
 * execution's output, which bounds an entry.
 */
export class ExecutionHub {
  private readonly entries = new Map<number, HubEntry>();
  private readonly projectWatchers = new Map<number, Set<OpenListener>>();

  constructor(
    private readonly retainMs = 10 * 60_000,
    private readonly maxFinished = 100,
  ) {}

  /** Told of each execution opened here: the feed relay announces it to the other instances' project feeds. */
  onOpen: ((executionId: number, projectId: number) => void) | null = null;

  open(executionId: number, projectId: number, controller: AbortController): void {
    this.entries.set(executionId, { projectId, events: [], listeners: new Set(), controller, finishedAt: null });
    this.announce(executionId, projectId);
    this.onOpen?.(executionId, projectId);
  }

  /** Tells the project's watchers an execution started (here, or on another instance: server/services/cluster/feed-relay.ts). */
  announce(executionId: number, projectId: number): void {
    for (const watcher of this.projectWatchers.get(projectId) ?? []) watcher(executionId);
  }

  /** Calls `listener` with the id of each execution of the project opened from now on (the IDE's live feed). */
  watchProject(projectId: number, listener: OpenListener): () => void {
    let watchers = this.projectWatchers.get(projectId);
    if (!watchers) this.projectWatchers.set(projectId, (watchers = new Set()));
    watchers.add(listener);
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0 && this.projectWatchers.get(projectId) === watchers) this.projectWatchers.delete(projectId);
    };
  }

  push(executionId: number, event: ExecutionEvent): void {
    const entry = this.entries.get(executionId);
    if (!entry || entry.finishedAt !== null) return;
    entry.events.push(event);
    if (event.type === "exit") entry.finishedAt = Date.now();
    for (const listener of entry.listeners) listener(event);
    if (event.type === "exit") this.evict();
  }

  /** The last seq pushed, so a synthesized ending can follow it. */
  lastSeq(executionId: number): number {
    return this.entries.get(executionId)?.events.at(-1)?.seq ?? 0;
  }

  isFinished(executionId: number): boolean {
    return this.entries.get(executionId)?.finishedAt !== null;
  }

  /**
   * Registers the listener and returns the backlog in the same synchronous step, so no event
   * falls between them. Null when the execution is not in memory.
   */
  subscribe(executionId: number, listener: Listener): { backlog: ExecutionEvent[]; unsubscribe: () => void } | null {
    const entry = this.entries.get(executionId);
    if (!entry) return null;
    entry.listeners.add(listener);
    return { backlog: [...entry.events], unsubscribe: () => entry.listeners.delete(listener) };
  }

  /** Aborts a running execution started by this process; false when none is running here. */
  cancel(executionId: number): boolean {
    const entry = this.entries.get(executionId);
    if (!entry || entry.finishedAt !== null) return false;
    entry.controller.abort();
    return true;
  }

  /** Aborts every running execution of a project started by this process (before it is released or deleted). */
  cancelProject(projectId: number): number {
    let cancelled = 0;
    for (const entry of this.entries.values()) {
      if (entry.projectId !== projectId || entry.finishedAt !== null || entry.controller.signal.aborted) continue;
      entry.controller.abort();
      cancelled++;
    }
    return cancelled;
  }

  private evict(): void {
    const now = Date.now();
    const finished = [...this.entries].filter(([, e]) => e.finishedAt !== null);
    const excess = finished.length - this.maxFinished;
    finished.forEach(([id, e], index) => {
      if (index < excess || now - (e.finishedAt ?? now) > this.retainMs) {
        if (e.listeners.size === 0) this.entries.delete(id);
      }
    });
  }
}

/** One hub per process (in the process registry, server/process/app-runtime.ts). */
export function getExecutionHub(): ExecutionHub {
  const runtime = getAppRuntime();
  runtime.executionHub ??= new ExecutionHub();
  return runtime.executionHub;
}

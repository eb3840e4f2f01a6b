import type { Logger } from "pino";
import { projectOwnerRepository } from "@/server/repositories/project-owner-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";

// One live container per project across instances (SCALE.md, "Project ownership"). The row in
// project_owners says which instance may hold it; this object is that instance's side: what it
// holds (project → epoch, container), the lease's validity in time, and the fence.
//
// Validity: a peer may take a project over only once our heartbeat is older than `staleAfterMs`
// on the database's clock. A beat that found our previous beat fresh was written at a database
// time no earlier than the moment we sent it, so until `sentAt + staleAfterMs` (minus a margin for
// the query's own time) nobody can have taken what we hold: requests in that window use the held
// epoch without a round trip. Outside it (a paused process, a database too slow to beat) the next
// acquire asks the database, which refuses us while our own heartbeat is stale.

/** Held without a container for this long (a bind that failed, a project given up): the row goes. */
const EMPTY_HOLD_MS = 60_000;
/** Kept off the validity window: the beat's round trip and timer slack. */
const VALIDITY_MARGIN_MS = 3_000;

export type OwnershipOutcome = { kind: "acquired"; epoch: number } | { kind: "held-by"; instanceId: string };

interface Held {
  epoch: number;
  containerId: string | null;
  since: number;
}

export interface ProjectOwnershipOptions {
  self: string;
  staleAfterMs: number;
  /** After a fence, how long before this instance binds again (a peer's sweep round that judged it dead must finish first). */
  settleMs: number;
  engine: () => SandboxEngine | undefined;
  log: Logger;
}

export class ProjectOwnership {
  private readonly held = new Map<number, Held>();
  /** Local work placed here and not finished yet (an execution between its acquire and its end): the project is busy. */
  private readonly using = new Map<number, number>();
  private readonly acquiring = new Map<number, Promise<OwnershipOutcome>>();
  /** Projects being handed to a peer: local acquires wait for the hand-over to finish. */
  private readonly moving = new Map<number, Promise<void>>();
  private confirmedAt = 0;
  private beats = 0;
  private fencing: Promise<void> | null = null;
  private fencedUntil = 0;
  /** Times this instance fenced itself or a project (read by tests and the harness through logs). */
  fences = 0;

  constructor(private readonly opts: ProjectOwnershipOptions) {}

  get self(): string {
    return this.opts.self;
  }

  /** The epoch this instance holds the project under, or null: the fence its saves are checked against. */
  epochOf(projectId: number): number | null {
    return this.held.get(projectId)?.epoch ?? null;
  }

  holds(projectId: number): boolean {
    return this.held.has(projectId);
  }

  /** Busy: an execution placed here has not ended, or a process (shell, dev server, background process) runs in its container. */
  busy(projectId: number): boolean {
    if ((this.using.get(projectId) ?? 0) > 0) return true;
    const engine = this.opts.engine();
    if (!engine) return false;
    if (engine.spawnedProcesses(String(projectId)) > 0) return true;
    return engine.fleet.activeSandboxes().some((s) => s.projectId === String(projectId) && s.busy > 0);
  }

  /** Marks local work on the project until the returned function is called (once). */
  use(projectId: number): () => void {
    this.using.set(projectId, (this.using.get(projectId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.using.get(projectId) ?? 1) - 1;
      if (left > 0) this.using.set(projectId, left);
      else this.using.delete(projectId);
    };
  }

  /** Takes the project for this instance, or says who holds it (concurrent calls for one project share one statement). */
  acquire(projectId: number): Promise<OwnershipOutcome> {
    let pending = this.acquiring.get(projectId);
    if (!pending) {
      pending = this.acquireOnce(projectId).finally(() => this.acquiring.delete(projectId));
      this.acquiring.set(projectId, pending);
    }
    return pending;
  }

  /**
   * acquire() for work that will use the project here: when it is ours, the work is counted
   * (busy) from the same tick on, so a peer's request to move the project cannot slip between
   * the acquire and the work's start. `done` ends the count.
   */
  async acquireForUse(projectId: number): Promise<{ kind: "acquired"; done: () => void } | { kind: "held-by"; instanceId: string }> {
    for (;;) {
      const outcome = await this.acquire(projectId);
      if (outcome.kind === "held-by") return outcome;
      // Given to a peer between the statement and this tick: ask again.
      if (this.held.get(projectId)?.epoch === outcome.epoch) return { kind: "acquired", done: this.use(projectId) };
    }
  }

  /**
   * A peer asks for the project (lease-mover.ts): refused (false) while it is busy here (unless
   * forced: the user's release, whose runs and processes the caller has ended);
   * otherwise the container's unsaved files are saved, the container released, the row deleted,
   * and only then true, so the peer's next acquire finds the project free.
   */
  async giveUp(projectId: number, opts: { force?: boolean } = {}): Promise<boolean> {
    if (!opts.force && (this.busy(projectId) || this.acquiring.has(projectId))) return false;
    const pending = this.moving.get(projectId);
    if (pending) {
      await pending;
      return true;
    }
    const mine = this.held.get(projectId);
    const work = (async () => {
      // The engine's release saves first (beforeRelease, fenced at this epoch), then destroys.
      await this.opts
        .engine()
        ?.releaseProject(String(projectId))
        .catch(() => {});
      this.held.delete(projectId);
      if (mine) await projectOwnerRepository.release(projectId, this.opts.self, mine.epoch);
      // A row naming us that memory did not hold (a failed delete): gone too.
      else await projectOwnerRepository.releaseAny(projectId, this.opts.self);
    })().finally(() => this.moving.delete(projectId));
    this.moving.set(projectId, work);
    await work;
    return true;
  }

  private async acquireOnce(projectId: number): Promise<OwnershipOutcome> {
    await this.moving.get(projectId);
    await this.settled();
    const mine = this.held.get(projectId);
    if (mine && Date.now() - this.confirmedAt < this.opts.staleAfterMs - VALIDITY_MARGIN_MS) return { kind: "acquired", epoch: mine.epoch };
    let outcome = await projectOwnerRepository.acquire(projectId, this.opts.self, this.opts.staleAfterMs);
    if (outcome.kind === "self-stale") {
      // Our heartbeat is stale: peers may be taking our projects and removing our containers.
      await this.fence("this instance's heartbeat is stale");
      await this.settled();
      outcome = await projectOwnerRepository.acquire(projectId, this.opts.self, this.opts.staleAfterMs);
      if (outcome.kind === "self-stale") throw new Error("this instance cannot take projects: its heartbeat is stale (the database is slow or away)");
    }
    if (outcome.kind === "acquired") {
      if (mine && mine.epoch !== outcome.epoch) {
        // Lost and taken back meanwhile: the container we still hold may predate a peer's work.
        await this.dropLocal(projectId, "the project changed hands while this instance was silent");
      }
      const current = this.held.get(projectId);
      this.held.set(projectId, { epoch: outcome.epoch, containerId: current?.epoch === outcome.epoch ? current.containerId : null, since: Date.now() });
      return outcome;
    }
    if (mine) await this.dropLocal(projectId, `the project is held by ${outcome.instanceId} now`);
    return { kind: "held-by", instanceId: outcome.instanceId };
  }

  /** Waits out a fence in progress and the settle time after it. */
  private async settled(): Promise<void> {
    await this.fencing;
    const wait = this.fencedUntil - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Gives the project up (a peer asked for it, or its container ended); the row goes only if this acquisition still has it. */
  async release(projectId: number): Promise<void> {
    const mine = this.held.get(projectId);
    if (!mine) return;
    this.held.delete(projectId);
    await projectOwnerRepository.release(projectId, this.opts.self, mine.epoch);
  }

  /** The engine bound a container for the project (sandbox-leases.ts): it belongs to the epoch held now. */
  containerBound(projectId: number, containerId: string): void {
    const mine = this.held.get(projectId);
    if (mine) {
      mine.containerId = containerId;
      return;
    }
    // A bind without ownership (a release's ended notice overtook a request that had acquired):
    // take the project now, or give the container up so a peer's is the only one.
    void this.acquire(projectId)
      .then(async (outcome) => {
        const held = this.held.get(projectId);
        if (outcome.kind === "acquired" && held) held.containerId = containerId;
        else await this.dropLocal(projectId, "bound without ownership and a peer holds the project");
      })
      .catch((err: unknown) => this.opts.log.warn({ projectId, err: err instanceof Error ? err.message : err }, "ownership after a bind failed"));
  }

  /** The engine's container of the project ended (idle release, stop, death): the project is free for any instance. */
  containerEnded(projectId: number, containerId: string): void {
    const mine = this.held.get(projectId);
    if (!mine || (mine.containerId !== null && mine.containerId !== containerId)) return;
    // Work placed here is still going (an image change, a container that died mid-run): it binds
    // the next container under this same row, so the row stays; an empty hold goes on a later beat.
    if ((this.using.get(projectId) ?? 0) > 0) {
      mine.containerId = null;
      return;
    }
    void this.release(projectId).catch((err: unknown) =>
      this.opts.log.warn({ projectId, err: err instanceof Error ? err.message : err }, "releasing project ownership failed"),
    );
  }

  /**
   * Each heartbeat (record sweeper): a previous beat older than the stale window, or a row that
   * vanished, means peers may have declared this instance dead and taken its projects: fence.
   * Otherwise the validity window moves on, and rows are compared with what is held in memory.
   */
  async afterBeat(beat: { now: Date; previous: Date | null; sentAt: number }): Promise<void> {
    this.beats++;
    const silentMs = beat.previous ? beat.now.getTime() - beat.previous.getTime() : null;
    if ((silentMs === null && this.beats > 1) || (silentMs !== null && silentMs > this.opts.staleAfterMs)) {
      await this.fence(silentMs === null ? "this instance's heartbeat row was removed" : `this instance was silent for ${Math.round(silentMs / 1000)} s`);
      return;
    }
    this.confirmedAt = beat.sentAt;
    await this.reconcile();
  }

  /** Rows against memory: a project whose row is no longer ours at our epoch is dropped here; a row held without a container for long is given up. */
  private async reconcile(): Promise<void> {
    const rows = new Map((await projectOwnerRepository.heldBy(this.opts.self)).map((r) => [r.projectId, r.epoch]));
    const active = new Set((this.opts.engine()?.fleet.activeSandboxes() ?? []).map((s) => Number(s.projectId)));
    for (const [projectId, mine] of [...this.held]) {
      if (this.acquiring.has(projectId)) continue;
      if (rows.get(projectId) !== mine.epoch) await this.dropLocal(projectId, "its ownership row was taken");
      else if (!active.has(projectId) && !this.busy(projectId) && Date.now() - mine.since > EMPTY_HOLD_MS) await this.release(projectId);
    }
    // Rows naming us that memory does not hold (a release whose delete failed): given up.
    for (const [projectId, epoch] of rows)
      if (!this.held.has(projectId) && !this.acquiring.has(projectId)) await projectOwnerRepository.release(projectId, this.opts.self, epoch);
  }

  /**
   * Stops serving everything: each container is released (its pending saves are attempted and
   * refused by the database where a peer has taken the project: never over newer files), rows
   * still ours are deleted, and no project is taken again until `settleMs` has passed, so a
   * peer's sweep round that judged us dead finishes removing our old containers first.
   */
  fence(reason: string): Promise<void> {
    this.fencing ??= (async () => {
      this.fences++;
      this.opts.log.warn({ reason, projects: [...this.held.keys()] }, "fenced: this instance stops serving its projects and re-registers");
      const engine = this.opts.engine();
      const projects = new Set([...this.held.keys(), ...(engine?.fleet.activeSandboxes() ?? []).map((s) => Number(s.projectId))]);
      await Promise.all([...projects].map((p) => this.dropLocal(p, reason)));
      this.held.clear();
      this.confirmedAt = 0;
      this.fencedUntil = Date.now() + this.opts.settleMs;
    })().finally(() => (this.fencing = null));
    return this.fencing;
  }

  /** Releases this instance's container of the project (saving what the fence allows) and forgets the hold. */
  private async dropLocal(projectId: number, reason: string): Promise<void> {
    this.fences++;
    this.opts.log.warn({ projectId, reason }, "giving up this instance's container of the project");
    await this.opts
      .engine()
      ?.releaseProject(String(projectId))
      .catch(() => {});
    await this.release(projectId).catch(() => {});
  }

  /** A clean shutdown: every row this instance holds goes (its engine has stopped). */
  async releaseAll(): Promise<void> {
    this.held.clear();
    await projectOwnerRepository.releaseAll(this.opts.self);
  }
}

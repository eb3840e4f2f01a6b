import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import { raceAbort, sleep, whenAborted } from "./abort";
import type { ImageKind } from "./config";
import {
  LABEL_IMAGE_KIND,
  LABEL_INSTANCE,
  LABEL_PROJECT,
  LABEL_SANDBOX,
  LABEL_SCOPE,
  type ContainerEvent,
  type EventSubscription,
  type SandboxDriver,
} from "./driver";
import type { AgentConnection } from "./agent/agent-connection";
import { ContainerEnds } from "./container-ends";
import { ClaimLostError, isSandboxError, SandboxError } from "./errors";
import { newLeaseState, type LeaseState } from "./lease-state";

// Binding model: labels cannot change after create, and warm containers are created before
// anyone knows their project. So a warm container carries only sandbox/instance/image labels;
// the binding lives in the in-memory lease map (the authority) and, for operators, in the
// container name (renamed on bind, best effort). Containers created on demand for a project
// also get the pantheon.project label. A container leaves the lease map only to be destroyed,
// so it can never be handed to a second project.

export interface PooledContainer {
  id: string;
  image: ImageKind;
  createdAt: number;
  /**
   * The container's pantheon-agent, started once right after the container (startAgent) and kept
   * for its life; null when the pool runs without agents (unit tests of the pool's logic).
   */
  agent: AgentConnection | null;
}

/** "lost": an engine command outlived its deadline (deadline.ts) and the engine killed the container. */
export type DeathReason = "oom" | "killed" | "died" | "lost";

export interface Lease {
  readonly projectId: string;
  readonly container: PooledContainer;
  readonly boundAt: number;
  /** The last user action: an execution, a file write, a process start, input to a process. */
  lastUsedAt: number;
  /** The last output of a long-lived process: keeps the container past MAX_IDLE_TIME, never past maxUnattendedMs. */
  lastOutputAt: number;
  /** Executions in flight; the idle sweep skips busy leases until `busyUntil`. */
  busy: number;
  /**
   * When the execution in flight must be over, its engine steps included (ms, the pool's clock).
   * A busy lease past it is stuck, and the idle sweep reclaims it like an idle one.
   */
  busyUntil: number | null;
  /** Long-lived processes that hold the container (interactive shells, with their own idle timeout); the idle sweep skips pinned leases. */
  pinned: number;
  /** Set from Docker events; the next acquire replaces the container. */
  dead: DeathReason | null;
  /**
   * Fires when the container dies or is released, so a running execution stops waiting on a dead
   * stream; its reason is a CONTAINER_LOST SandboxError that says why.
   */
  readonly died: AbortController;
  /** What the engine attaches to the container (workspace manifest, kept processes, egress tunnel). */
  readonly state: LeaseState;
}

/**
 * Told when a container is bound to a project and when the binding ends (released, died, engine
 * stopping), so the app can record who holds which container (quotas). Called synchronously;
 * must not throw. A binding may be reported as ended more than once (a death, then the release).
 */
export interface LeaseEvents {
  bound(projectId: string, containerId: string): void;
  ended(projectId: string, containerId: string, reason: string): void;
}

export interface ContainerPoolOptions {
  driver: SandboxDriver;
  log: Logger;
  instanceId: string;
  scope: string;
  images: Record<ImageKind, string>;
  warmImages: readonly ImageKind[];
  poolSizePerImage: number;
  maxConcurrent: number;
  maxIdleTimeMs: number;
  /** A lease with no user action for this long is released even while its processes print (output alone never holds a container past it). */
  maxUnattendedMs?: number;
  leaseEvents?: LeaseEvents;
  /**
   * Starts the container's agent (one attached exec, kept for the container's life). Its death is
   * the container's: a warm one is replaced, a leased one released at once (its work fails).
   */
  startAgent?: (containerId: string, containerName: string) => Promise<AgentConnection>;
  /**
   * Runs before a live container is destroyed on purpose (released, idle, image change): the
   * engine saves what its workspace holds that the store does not yet. Never throws (it logs);
   * bounded by the engine's own deadline. Meanwhile the project has no live container: a new
   * acquire waits for it and then loads what it saved.
   */
  beforeRelease?: (lease: Lease) => Promise<void>;
  retryInitialMs: number;
  retryMaxMs: number;
  now?: () => number;
}

export interface PoolStatus {
  warm: Partial<Record<ImageKind, number>>;
  /** Warm containers kept per image (SANDBOX_POOL_SIZE until the cleanup resizes the pool). */
  warmTarget: number;
  creating: number;
  leased: number;
  maxConcurrent: number;
  dockerAvailable: boolean;
  lastError: string | null;
}

export class ContainerPool {
  private readonly warm = new Map<ImageKind, PooledContainer[]>();
  private readonly creating = new Map<ImageKind, number>();
  private readonly leases = new Map<string, Lease>();
  private readonly acquiring = new Map<string, Promise<Lease>>();
  private readonly destroying = new Set<Promise<void>>();
  /** Leases being released (their beforeRelease runs): one release each, and no new user. */
  private readonly releasing = new Map<Lease, Promise<void>>();
  private readonly byContainer = new Map<string, PooledContainer>();
  /** Docker's oom and die events by container id, kept after the lease is gone (the OOM verdict reads them). */
  readonly ends = new ContainerEnds();
  private readonly stopController = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private wakeProducers: () => void = () => {};
  private wakeSignal: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private events: EventSubscription | null = null;
  private reserved = 0;
  private counter = 0;
  private warmTarget: number;
  /** When projects were bound, and to which image (the latest 10,000): the demand the pool is sized to. */
  private binds: { at: number; image: ImageKind }[] = [];
  private started = false;
  dockerAvailable = true;
  lastError: string | null = null;

  constructor(private readonly options: ContainerPoolOptions) {
    this.warmTarget = options.poolSizePerImage;
    this.resetWake();
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Starts the producer loops, the idle sweep and the Docker event watch. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const image of this.options.warmImages) this.loops.push(this.produce(image));
    this.loops.push(this.watchEvents());
    const sweepEvery = Math.max(250, Math.min(30_000, Math.floor(this.options.maxIdleTimeMs / 4)));
    this.idleTimer = setInterval(() => void this.releaseIdle(), sweepEvery);
    this.idleTimer.unref();
  }

  lease(projectId: string): Lease | undefined {
    const lease = this.leases.get(projectId);
    return lease && this.releasing.has(lease) ? undefined : lease;
  }

  leaseByContainer(containerId: string): Lease | undefined {
    for (const lease of this.leases.values()) if (lease.container.id === containerId) return lease;
    return undefined;
  }

  /**
   * The project's live container, or a warm one bound to it now (milliseconds), or a cold one.
   * `fresh` leases have an empty workspace: the caller loads the project's files.
   */
  async acquire(projectId: string, image: ImageKind, opts: { signal?: AbortSignal } = {}): Promise<{ lease: Lease; fresh: boolean }> {
    if (this.stopped) throw new SandboxError("NOT_READY", "sandbox engine is stopping");
    const existing = this.leases.get(projectId);
    if (existing && !existing.dead && existing.container.image === image && !this.releasing.has(existing)) {
      existing.lastUsedAt = this.now;
      return { lease: existing, fresh: false };
    }
    if (existing) await this.release(projectId, existing.dead ? `container ${existing.dead}` : "image change");
    const pending = this.acquiring.get(projectId);
    if (pending) return { lease: await raceAbort(pending, opts.signal), fresh: false };

    if (this.leases.size + this.reserved >= this.options.maxConcurrent) {
      throw new SandboxError("CAPACITY", `at capacity: ${this.options.maxConcurrent} sandboxes are in use, try again shortly`);
    }
    // The reservation turns into a lease synchronously inside bind(), so concurrent acquires never
    // count one project twice.
    this.reserved++;
    let reservation = true;
    const unreserve = () => {
      if (reservation) this.reserved--;
      reservation = false;
    };
    const work = this.bind(projectId, image, opts.signal, unreserve);
    this.acquiring.set(projectId, work);
    try {
      return { lease: await work, fresh: true };
    } finally {
      unreserve();
      this.acquiring.delete(projectId);
    }
  }

  private async bind(projectId: string, image: ImageKind, signal: AbortSignal | undefined, unreserve: () => void): Promise<Lease> {
    const name = `pantheon-${this.options.instanceId}-p-${projectId.replace(/[^a-zA-Z0-9_.-]/g, "_").slice(0, 60)}-${++this.counter}`;
    let container = await this.claimWarm(projectId, image, name);
    if (!container) {
      const creation = this.createContainer(image, projectId);
      try {
        container = await raceAbort(creation, signal);
      } catch (err) {
        // The caller gave up, but a started container is still useful: it was never bound.
        creation.then(
          (c) => this.offerWarm(c),
          () => {},
        );
        throw err;
      }
    }
    if (this.stopped) {
      void this.destroyInBackground(container.id);
      throw new SandboxError("NOT_READY", "sandbox engine is stopping");
    }
    const lease: Lease = {
      projectId,
      container,
      boundAt: this.now,
      lastUsedAt: this.now,
      lastOutputAt: 0,
      busy: 0,
      busyUntil: null,
      pinned: 0,
      dead: null,
      died: listenedByMany(new AbortController()),
      state: newLeaseState(),
    };
    this.leases.set(projectId, lease);
    unreserve();
    this.options.leaseEvents?.bound(projectId, container.id);
    this.binds.push({ at: this.now, image });
    if (this.binds.length > 10_000) this.binds.splice(0, this.binds.length - 10_000);
    this.options.log.info({ containerId: container.id, projectId, image }, "container bound to project");
    this.wake();
    // Where the back end claims (driver.claim), the claim already named it.
    if (!this.options.driver.claim) this.options.driver.rename(container.id, name).catch(() => {});
    return lease;
  }

  /**
   * A warm container for the project, claimed in the back end when the driver claims (several
   * replicas may reach one pod): awaited, so a claim lost to another holder is never used. A lost
   * one is left to its holder (not destroyed) and the next warm one tried; none left: undefined
   * (the caller creates one for the project). A claim whose outcome is unknown (the back end did
   * not answer) fails the acquire, and that container is destroyed: never handed out again.
   */
  private async claimWarm(projectId: string, image: ImageKind, name: string): Promise<PooledContainer | undefined> {
    const { driver, log } = this.options;
    for (;;) {
      const container = this.takeWarm(image);
      if (!container || !driver.claim) return container;
      try {
        await driver.claim(container.id, { projectId, name, instanceId: this.options.instanceId });
        return container;
      } catch (err) {
        if (err instanceof ClaimLostError) {
          log.warn({ containerId: container.id, projectId, reason: err.message }, "warm container claimed elsewhere; trying another");
          const agent = container.agent;
          this.byContainer.delete(container.id);
          agent?.close("claimed elsewhere");
          continue;
        }
        void this.destroyInBackground(container.id);
        throw err;
      }
    }
  }

  /**
   * Unbinds and destroys the project's container; the producer tops the pool up. With `only`, a
   * lease bound since (a fresh container for the same project) is left alone.
   */
  async release(projectId: string, reason: string, only?: Lease): Promise<void> {
    const lease = this.leases.get(projectId);
    if (!lease || (only && lease !== only)) return;
    const pending = this.releasing.get(lease);
    if (pending) return pending;
    const work = this.releaseLease(lease, reason);
    this.releasing.set(lease, work);
    try {
      await work;
    } finally {
      this.releasing.delete(lease);
    }
  }

  private async releaseLease(lease: Lease, reason: string): Promise<void> {
    const { projectId } = lease;
    if (this.options.beforeRelease && lease.dead === null && !lease.died.signal.aborted && !this.stopped) {
      await this.options
        .beforeRelease(lease)
        .catch((err: unknown) => this.options.log.warn({ containerId: lease.container.id, projectId, err }, "saving before release failed"));
      // stop() may have taken every lease meanwhile (and destroys them itself).
      if (this.leases.get(projectId) !== lease) return;
    }
    this.leases.delete(projectId);
    this.byContainer.delete(lease.container.id);
    this.options.log.info({ containerId: lease.container.id, projectId, reason }, "releasing project container");
    // Before the abort below: whoever records why processes ended learns the reason first.
    this.options.leaseEvents?.ended(projectId, lease.container.id, reason);
    // Whatever still streams from this container (spawned processes, an execution, an engine
    // command under its deadline) stops waiting: under gVisor an attached tty stream is not
    // closed by the container's removal, and a stopped process never closes its stream.
    if (!lease.died.signal.aborted) lease.died.abort(new SandboxError("CONTAINER_LOST", `the container was released (${reason})`));
    this.wake();
    await this.destroyInBackground(lease.container.id);
  }

  /**
   * An engine command in this container outlived its deadline: nothing in it can be trusted to
   * finish, so it is marked lost, everything waiting on it fails now, and the runtime kills it
   * (docker rm -f, which no process inside can resist). Idempotent.
   */
  async abandon(lease: Lease, reason: string): Promise<void> {
    if (lease.dead === null) lease.dead = "lost";
    if (!lease.died.signal.aborted) lease.died.abort(new SandboxError("CONTAINER_LOST", reason));
    this.options.log.warn({ containerId: lease.container.id, projectId: lease.projectId, reason }, "container treated as lost");
    if (this.leases.get(lease.projectId) === lease) await this.release(lease.projectId, reason, lease);
    else await this.destroyInBackground(lease.container.id);
  }

  /**
   * The container's agent is gone (it exited, its exec or stream broke, or it missed its pings:
   * known within a second). Nothing more can run in that container: a warm one is destroyed, a
   * leased one released now, so whatever waits on it fails with the reason and the next use gets
   * a fresh container. Ignored for containers already on their way out.
   */
  private agentDied(container: PooledContainer, reason: string): void {
    if (this.stopped || !this.byContainer.has(container.id)) return;
    const lease = this.leaseByContainer(container.id);
    if (!lease) {
      this.markDead(container.id, "died");
      return;
    }
    if (lease.dead === null) lease.dead = "died";
    if (!lease.died.signal.aborted) lease.died.abort(new SandboxError("CONTAINER_LOST", `the sandbox agent stopped (${reason})`));
    this.options.log.warn({ containerId: container.id, projectId: lease.projectId, reason }, "sandbox agent died; releasing the container");
    void this.release(lease.projectId, `agent died: ${reason}`, lease);
  }

  /** Called from Docker events (and by the executor when a container stops answering). */
  markDead(containerId: string, reason: DeathReason): void {
    for (const [image, list] of this.warm) {
      const index = list.findIndex((c) => c.id === containerId);
      if (index >= 0) {
        list.splice(index, 1);
        this.options.log.warn({ containerId, image, reason }, "warm container died");
        void this.destroyInBackground(containerId);
        this.wake();
        return;
      }
    }
    const lease = this.leaseByContainer(containerId);
    if (lease && !lease.dead) {
      lease.dead = reason;
      this.options.leaseEvents?.ended(lease.projectId, containerId, `container ${reason}`);
      lease.died.abort(
        new SandboxError("CONTAINER_LOST", `the container ${reason === "oom" ? "ran out of memory" : reason === "killed" ? "was killed" : "stopped"}`),
      );
      this.options.log.warn({ containerId, projectId: lease.projectId, reason }, "leased container died");
      // Under runsc the agent's exec stream can outlive the container by seconds (until a ping is
      // missed): the event is the earlier word, so the connection and its streams end now.
      this.byContainer.get(containerId)?.agent?.close(`container ${reason}`);
    }
  }

  status(): PoolStatus {
    const warm: Partial<Record<ImageKind, number>> = {};
    for (const [image, list] of this.warm) warm[image] = list.length;
    let creating = 0;
    for (const n of this.creating.values()) creating += n;
    return {
      warm,
      warmTarget: this.warmTarget,
      creating,
      leased: this.leases.size,
      maxConcurrent: this.options.maxConcurrent,
      dockerAvailable: this.dockerAvailable,
      lastError: this.lastError,
    };
  }

  /** Stops producing and destroys every container this pool created (warm and leased). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopController.abort();
    this.wake();
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.events?.close();
    await Promise.allSettled(this.loops);
    const ids = [...[...this.warm.values()].flat().map((c) => c.id), ...[...this.leases.values()].map((l) => l.container.id)];
    for (const lease of this.leases.values()) this.options.leaseEvents?.ended(lease.projectId, lease.container.id, "engine stopping");
    this.warm.clear();
    this.leases.clear();
    for (const id of ids) void this.destroyInBackground(id);
    await Promise.allSettled([...this.destroying]);
  }

  private takeWarm(image: ImageKind): PooledContainer | undefined {
    const container = this.warm.get(image)?.shift();
    if (container) this.wake();
    return container;
  }

  private offerWarm(container: PooledContainer): void {
    const list = this.warm.get(container.image) ?? [];
    if (this.stopped || list.length >= this.warmTarget) {
      void this.destroyInBackground(container.id);
      return;
    }
    list.push(container);
    this.warm.set(container.image, list);
  }

  private async createContainer(image: ImageKind, projectId?: string): Promise<PooledContainer> {
    const { driver, instanceId, images, scope } = this.options;
    const labels: Record<string, string> = { [LABEL_SANDBOX]: "1", [LABEL_SCOPE]: scope, [LABEL_INSTANCE]: instanceId, [LABEL_IMAGE_KIND]: image };
    if (projectId !== undefined) labels[LABEL_PROJECT] = projectId;
    this.creating.set(image, (this.creating.get(image) ?? 0) + 1);
    try {
      const name = `pantheon-${instanceId}-${image}-${++this.counter}`;
      const id = await driver.create({ image: images[image], labels, name });
      // Known from here on: the orphan reaper spares it while it starts and its agent connects.
      const container: PooledContainer = { id, image, createdAt: this.now, agent: null };
      this.byContainer.set(id, container);
      try {
        await driver.start(id);
      } catch (err) {
        void this.destroyInBackground(id);
        throw err;
      }
      if (this.options.startAgent) {
        try {
          const agent = await this.options.startAgent(id, name);
          container.agent = agent;
          agent.onDeath((death) => this.agentDied(container, death.reason));
        } catch (err) {
          void this.destroyInBackground(id);
          throw err;
        }
      }
      this.noteDockerUp();
      return container;
    } catch (err) {
      this.noteDockerError(err);
      throw err;
    } finally {
      this.creating.set(image, (this.creating.get(image) ?? 1) - 1);
    }
  }

  /** Producer: keeps `poolSizePerImage` warm containers, backing off while Docker fails. */
  private async produce(image: ImageKind): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const have = (this.warm.get(image)?.length ?? 0) + (this.creating.get(image) ?? 0);
      if (have >= this.warmTarget) {
        await this.waitForWake();
        continue;
      }
      try {
        const container = await this.createContainer(image);
        failures = 0;
        if (this.stopped) await this.options.driver.destroy(container.id).catch(() => {});
        else this.offerWarm(container);
      } catch (err) {
        failures++;
        const delay = Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** Math.min(failures - 1, 16));
        this.options.log.warn({ image, failures, retryInMs: delay, err: isSandboxError(err) ? err.message : err }, "warm pool fill failed");
        await sleep(delay, this.stopController.signal);
      }
    }
  }

  /** Resubscribes after daemon restarts; on reconnect, re-checks every container we hold. */
  private async watchEvents(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const labels = { [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: this.options.instanceId };
        const events = await this.options.driver.subscribeEvents(labels, (e) => this.onEvent(e));
        this.events = events;
        failures = 0;
        await this.reconcile();
        await Promise.race([events.closed, whenAborted(this.stopController.signal)]);
        events.close();
      } catch (err) {
        this.noteDockerError(err);
      }
      if (this.stopped) return;
      failures++;
      await sleep(Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** Math.min(failures - 1, 16)), this.stopController.signal);
    }
  }

  private onEvent(event: ContainerEvent): void {
    if (event.type === "oom") {
      this.ends.noteOom(event.containerId);
      return;
    }
    if (event.type === "die" || event.type === "destroy") {
      this.ends.noteEnded(event.containerId);
      const reason = this.ends.oomsOf(event.containerId) > 0 ? "oom" : event.type === "die" && event.exitCode === 137 ? "killed" : "died";
      this.markDead(event.containerId, reason);
    }
  }

  /** Events missed while disconnected: ask about each container directly. */
  private async reconcile(): Promise<void> {
    const ids = [...[...this.warm.values()].flat().map((c) => c.id), ...[...this.leases.values()].map((l) => l.container.id)];
    for (const id of ids) {
      const state = await this.options.driver.inspect(id).catch(() => undefined);
      if (state === null || (state && !state.running)) this.markDead(id, state?.oomKilled ? "oom" : "died");
    }
    this.noteDockerUp();
  }

  /**
   * Releases leases with no execution in flight that are idle (no action or output for
   * `maxIdleMs`) or unattended (no user action for maxUnattendedMs, whatever they print), and
   * busy ones stuck past their `busyUntil` (the engine's deadlines should have ended them: this
   * is the backstop that keeps a frozen project from holding a SANDBOX_MAX_CONCURRENT slot);
   * returns their projects.
   */
  async releaseIdle(maxIdleMs = this.options.maxIdleTimeMs): Promise<string[]> {
    const cutoff = this.now - maxIdleMs;
    const unattendedCutoff = this.options.maxUnattendedMs === undefined ? -Infinity : this.now - this.options.maxUnattendedMs;
    const released: string[] = [];
    for (const lease of [...this.leases.values()]) {
      // Re-read after each await: an execution may have started on this lease meanwhile.
      if (this.leases.get(lease.projectId) !== lease) continue;
      if (lease.busy > 0 && lease.busyUntil !== null && this.now > lease.busyUntil) {
        await this.abandon(lease, "busy past its deadline (stuck)").then(
          () => released.push(lease.projectId),
          () => {},
        );
        continue;
      }
      if (lease.busy > 0 || lease.pinned > 0) continue;
      const why = idleReason(lease, cutoff, unattendedCutoff);
      if (!why) continue;
      // "unattended" leads the reason: the app tells the processes it ends why (and for how long).
      const reason = why === "idle" ? "idle" : `unattended: no user action for ${Math.round((this.options.maxUnattendedMs ?? 0) / 1000)} s`;
      await this.release(lease.projectId, reason, lease).then(
        () => released.push(lease.projectId),
        () => {},
      );
    }
    return released;
  }

  /** Every lease, for monitoring and cleanup (the objects are live: read, do not keep). */
  leaseList(): Lease[] {
    return [...this.leases.values()];
  }

  /** Containers this pool created and has not destroyed (warm, being bound, or leased). */
  knownContainerIds(): Set<string> {
    return new Set(this.byContainer.keys());
  }

  /** Binds per image since `since` (ms), oldest first: what the warm pool should cover. */
  bindsSince(since: number): { at: number; image: ImageKind }[] {
    return this.binds.filter((b) => b.at >= since);
  }

  /** Changes how many warm containers are kept per image; surplus ones are destroyed now. */
  resize(perImage: number): void {
    const target = Math.max(0, Math.floor(perImage));
    if (target === this.warmTarget) return;
    this.options.log.info({ from: this.warmTarget, to: target }, "resizing the warm pool");
    this.warmTarget = target;
    for (const list of this.warm.values()) for (const surplus of list.splice(target)) void this.destroyInBackground(surplus.id);
    this.wake();
  }

  private destroyInBackground(id: string): Promise<void> {
    // Its agent goes first: the container's end is ours, not a death to report.
    const agent = this.byContainer.get(id)?.agent;
    this.byContainer.delete(id);
    agent?.close("container destroyed");
    const p = this.options.driver
      .destroy(id)
      .catch((err: unknown) => this.options.log.warn({ containerId: id, err }, "destroy failed; the boot reaper will remove it"))
      .finally(() => this.destroying.delete(p));
    this.destroying.add(p);
    return p;
  }

  private noteDockerError(err: unknown): void {
    if (isSandboxError(err, "DOCKER_UNAVAILABLE")) this.dockerAvailable = false;
    this.lastError = err instanceof Error ? err.message : String(err);
  }

  private noteDockerUp(): void {
    this.dockerAvailable = true;
    this.lastError = null;
  }

  private resetWake(): void {
    this.wakeSignal = new Promise((resolve) => (this.wakeProducers = resolve));
  }

  private wake(): void {
    this.wakeProducers();
    this.resetWake();
  }

  private waitForWake(): Promise<void> {
    return this.wakeSignal;
  }
}

/** Why a lease should go: "idle" (no action or output since `cutoff`), "unattended" (output, but no user action since `unattendedCutoff`), or null. */
export function idleReason(lease: Pick<Lease, "lastUsedAt" | "lastOutputAt">, cutoff: number, unattendedCutoff: number): "idle" | "unattended" | null {
  if (Math.max(lease.lastUsedAt, lease.lastOutputAt) < cutoff) return "idle";
  if (lease.lastUsedAt < unattendedCutoff) return "unattended";
  return null;
}

/**
 * A lease's death is listened for by every run, shell, process and forward on its container at
 * once, many by design: not a leak, so no MaxListenersExceededWarning at the eleventh.
 */
function listenedByMany(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}

import { resolveLimits } from "../../security/policy";
import type { Logger } from "pino";
import { raceAbort, sleep } from "./abort";
import { agentSocketBase, IMAGE_KINDS, imageFor, type EngineConfig, type ImageKind } from "./config";
import { engineBudgets, lostError, withDeadline, type EngineOperation } from "./deadline";
import type { SandboxDriver } from "./driver";
import { abortError, isSandboxError, SandboxError, type SandboxErrorCode } from "./errors";
import { prepareExecution, type PreparedExecution } from "./execution-request";
import type { ExecutionEvent, ExecutionReason, ExecutionRequest, ExecutionResult } from "./execution-types";
import type { EgressConnector, NetworkPolicy } from "./egress";
import { Executor } from "./executor";
import { SandboxFleet } from "./fleet";
import { ContainerPool, type Lease, type LeaseEvents, type PoolStatus } from "./pool";
import { KeyedLock } from "./project-lock";
import { reapOrphanContainers } from "./reaper";
import { unchangedSinceWritten, type Manifest } from "./workspace-manifest";
import { checkStoredPath } from "./byte-names";
import type { RefusedFile, WorkspaceFile, WorkspaceStore } from "./workspace-files";
import type { SandboxProcess } from "./spawned-process";
import { spawnOnAgent } from "./agent-spawn";
import { LeaseNetwork } from "./lease-network";
import { keepersOf, rootsOf, setKeepers, settledKeepersOf, trackPendingSpawn } from "./lease-processes";
import { WorkspaceSync } from "./workspace-sync";
import { AgentConnection } from "./agent/agent-connection";
import { agentSocketHostDir, removeAgentSocketInstance } from "./agent/agent-socket";
import type { CheckedWrites } from "./agent/agent-events";
import { runOnAgent } from "./agent-run";
import type { RunOutcome } from "./executor";
import { loadThroughAgent, writeThroughAgent } from "./agent-workspace";
import { baselineThroughAgent, resyncThroughAgent, savePathsThroughAgent, type SaveLimits } from "./agent-save";
import { LeaseWatch } from "./agent-watch-save";
import { checkWorkspaceFiles, type CheckedWorkspaceFile } from "./workspace-tar";
import { PathRejectedError } from "./workspace-path";
import { forwardPort, NothingListeningError, openForward, type AgentSocket } from "./agent-net";

export type { SandboxProcess } from "./spawned-process";

export interface PostureSummary {
  ok: boolean;
  runtime: string;
  checks: { name: string; ok: boolean; detail: string }[];
}

export interface SandboxEngineOptions {
  config: EngineConfig;
  driver: SandboxDriver;
  store: WorkspaceStore;
  logger: Logger;
  /** Verifies the runtime's protections in a fresh container; the engine refuses to serve if it fails. */
  postureCheck?: () => Promise<PostureSummary>;
  /** The app's egress proxy (server/egress); without it every project runs as policy "none". */
  egress?: EgressConnector;
  /** Told when a container is bound to a project and when that ends (the app records holders for quotas). */
  leaseEvents?: LeaseEvents;
}

export interface SpawnOptions {
  /** Image for a fresh container; a project's live container is used whatever its image. */
  image: ImageKind;
  argv: string[];
  tty?: boolean;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
  signal?: AbortSignal;
  /**
   * The process holds the container: the idle release skips it while the process lives (an
   * interactive shell, which closes itself after its own idle timeout). Background processes do
   * not: a dev server nobody uses is reclaimed with its container after MAX_IDLE_TIME.
   */
  holdsContainer?: boolean;
  /**
   * The project's network policy, from the caller (the engine reads no database). Not "none":
   * the egress tunnel runs in the container and the process gets the proxy environment. "none":
   * no proxy environment, and a tunnel left from an earlier policy is stopped. Absent (internal
   * helpers such as preview tunnels): the container's network is left as it is, no proxy env.
   */
  network?: NetworkPolicy;
  /**
   * Whether input to the process counts as a user action (default true: typing in a shell, a
   * preview request). False for the egress tunnel, whose input is the internet answering a program.
   */
  inputIsUserAction?: boolean;
}

const KILL_GRACE_MS = 5_000;
/** How long an agent may leave a ping unanswered before its container is given up. */
const AGENT_PING_TIMEOUT_MS = 5_000;
/**
 * Beyond an execution's timeout and its kill budget: the wait for starting spawns (2 s), the
 * stream's grace after the kill (3 s), and slack. Past it the run's exec is given up.
 */
const RUN_GRACE_MS = 10_000;
/** How long the OOM verdict waits for Docker's word on a container that died during a run. */
const OOM_VERDICT_WAIT_MS = 3_000;
/**
 * After that word, a little longer for an oom event: the shim reports the OOM and the exit from
 * two goroutines, so the order dockerd keeps is the order they were published in, nearly always
 * the kernel's.
 */
const OOM_AFTER_END_MS = 100;

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** The project's network policy, from the caller; see SpawnOptions.network (absent: left as is). */
  network?: NetworkPolicy;
  /** Output and exit events, in `seq` order; the exit event comes after the files are synced. */
  onEvent?: (event: ExecutionEvent) => void;
}

export type EngineState = "new" | "starting" | "waiting-for-docker" | "waiting-for-images" | "ready" | "refused" | "stopping" | "stopped";

export interface EngineStatus {
  state: EngineState;
  instanceId: string;
  runtime: EngineConfig["runtime"];
  posture: PostureSummary | null;
  pool: PoolStatus;
  activeExecutions: number;
  reapedAtBoot: number;
  missingImages: string[];
  lastError: string | null;
}

/** What an execution changed in the durable copy (paths only). */
export interface ExecutionFileChanges {
  upserted: string[];
  deleted: string[];
  refused: RefusedFile[];
  /** Set when the changes could not be saved; they are retried after the next execution. */
  error: string | null;
}

export type SandboxExecutionResult = ExecutionResult & {
  /** Set when the engine, not the program, failed the execution (CAPACITY, DOCKER_UNAVAILABLE...). */
  errorCode: SandboxErrorCode | null;
  files: ExecutionFileChanges | null;
};

/** Why the engine gave a lease's container up (deadline expired, or released), for the run's output. */
function lostReasonOf(lease: Lease): string | null {
  // markDead (a Docker event) sets `dead` to how it died; only "lost" and a release are the engine's doing.
  if (!lease.died.signal.aborted || (lease.dead !== null && lease.dead !== "lost")) return null;
  return lostError(lease.died.signal).message;
}

/**
 * The sandbox engine: warm pool + workspace sync + execution, behind one object with no global
 * state (the app keeps one instance in its process registry and calls stop() on SIGTERM).
 */
export class SandboxEngine {
  private readonly pool: ContainerPool;
  /** Monitoring and cleanup operations (active sandboxes, stats, idle release, orphans, pool size). */
  readonly fleet: SandboxFleet;
  private readonly sync: WorkspaceSync;
  private readonly executor: Executor;
  private readonly network: LeaseNetwork;
  private readonly locks = new KeyedLock();
  private readonly budgets: Record<EngineOperation, number>;
  private readonly log: Logger;
  /** The container's memory limit, resolved once: a schema parse per execution was measurable. */
  private readonly memoryLimitBytes: number;
  private readonly stopController = new AbortController();
  private state: EngineState = "new";
  private posture: PostureSummary | null = null;
  private reapedAtBoot = 0;
  private missingImages: string[] = [];
  private lastError: string | null = null;
  private active = 0;
  private boot: Promise<void> | null = null;

  constructor(private readonly options: SandboxEngineOptions) {
    const { config, driver } = options;
    this.log = options.logger.child({ component: "sandbox-engine", instance: config.instanceId });
    this.memoryLimitBytes = resolveLimits(config.limits).memoryBytes;
    const images = Object.fromEntries(IMAGE_KINDS.map((k) => [k, imageFor(config, k)])) as Record<ImageKind, string>;
    this.pool = new ContainerPool({
      ...config,
      driver,
      log: this.log,
      images,
      ...(options.leaseEvents ? { leaseEvents: options.leaseEvents } : {}),
      // One agent per container, started with it and kept for its life (issue 11).
      // An agent that exits, or whose exec or container ends, is known at once (its stream
      // closes). Pings catch a hung agent; sandbox code cannot stop it (another uid), so a late
      // answer means a starved machine, not a dead agent: seconds, not the client's 500 ms.
      // Watch batches carry small files' content: up to 8 MiB and a file per message (agent watch.go).
      startAgent: (containerId, containerName) =>
        AgentConnection.start(driver, containerId, {
          socketDir: this.agentSocketDir(containerName),
          log: this.log,
          pingIntervalMs: 1_000,
          pingTimeoutMs: AGENT_PING_TIMEOUT_MS,
          readMaxBytes: 10 * 1024 * 1024,
        }),
      // What the watcher has not saved yet (the agent's quiet period) is saved before the container goes.
      beforeRelease: (lease) => this.saveBeforeRelease(lease),
    });
    this.fleet = new SandboxFleet(this.pool, driver, config, this.log);
    this.sync = new WorkspaceSync(driver, config, this.log);
    this.executor = new Executor(driver, config.maxOutputBytes, this.log);
    this.budgets = engineBudgets(config);
    this.network = new LeaseNetwork({
      driver,
      log: this.log,
      egress: options.egress,
      guard: (lease, operation, work) => this.guard(lease, operation, work),
    });
  }

  /**
   * Runs one engine step in the lease's container under its deadline (deadline.ts): when the
   * budget expires the container is treated as lost (killed through the runtime) and the step
   * fails with a reason; when the container is released or dies meanwhile it fails at once.
   */
  private guard<T>(lease: Lease, operation: EngineOperation | "run", work: (signal: AbortSignal) => Promise<T>, budgetMs?: number): Promise<T> {
    return withDeadline(
      {
        operation,
        budgetMs: budgetMs ?? this.budgets[operation === "run" ? "kill" : operation],
        // The run's exec already stops on the container's death (executor), and classifies it.
        ...(operation === "run" ? {} : { lost: lease.died.signal }),
        onExpire: (err) => void this.pool.abandon(lease, err.message),
      },
      work,
    );
  }

  /** How long an execution may hold its lease, engine steps included, before it counts as stuck. */
  private busyBudgetMs(timeoutMs: number): number {
    const b = this.budgets;
    return timeoutMs + b.kill + RUN_GRACE_MS + b.finish + b.collect;
  }

  get config(): EngineConfig {
    return this.options.config;
  }

  /** The host directory where this container's agent finds the engine's socket (made with the container, docker-engine.ts). */
  private agentSocketDir(containerName: string): string | null {
    const base = agentSocketBase(this.config);
    return base === null ? null : agentSocketHostDir(base, this.config.instanceId, containerName);
  }

  private get driver(): SandboxDriver {
    return this.options.driver;
  }

  /**
   * Reaps orphans, runs the posture check and starts filling the pool. Resolves after the first
   * attempt: if Docker is down the app stays up and a background loop retries with backoff.
   */
  async start(): Promise<void> {
    if (this.state !== "new") return;
    this.state = "starting";
    const first = this.bootOnce();
    this.boot = first.then(async (done) => {
      let failures = 0;
      while (!done && !this.stopController.signal.aborted) {
        failures++;
        await sleep(Math.min(this.config.retryMaxMs, this.config.retryInitialMs * 2 ** Math.min(failures - 1, 16)), this.stopController.signal);
        if (this.stopController.signal.aborted) return;
        done = await this.bootOnce();
      }
    });
    await first;
  }

  /** One boot attempt; false means "Docker unreachable, try again". */
  private async bootOnce(): Promise<boolean> {
    try {
      await this.driver.ping();
      this.reapedAtBoot = await reapOrphanContainers(this.driver, this.config, this.log);
      const images = [...new Set(this.config.warmImages.map((k) => imageFor(this.config, k)))];
      this.missingImages = [];
      for (const image of images) if (!(await this.driver.hasImage(image))) this.missingImages.push(image);
      if (this.missingImages.length) {
        this.state = "waiting-for-images";
        this.lastError = `sandbox images missing (${this.missingImages.join(", ")}): run \`npm run images\``;
        this.log.error({ images: this.missingImages }, "sandbox images missing: run `npm run images`; retrying");
        return false;
      }
      if (this.config.postureCheck && this.options.postureCheck) {
        this.posture = await this.options.postureCheck();
        if (!this.posture.ok) {
          this.state = "refused";
          this.lastError = `posture check failed: ${this.posture.checks
            .filter((c) => !c.ok)
            .map((c) => `${c.name} (${c.detail})`)
            .join("; ")}`;
          this.log.error({ posture: this.posture }, "sandbox posture check failed; refusing to run code");
          return true;
        }
      }
      if (this.stopController.signal.aborted) return true;
      this.pool.start();
      this.state = "ready";
      this.lastError = null;
      this.log.info({ runtime: this.config.runtime, reaped: this.reapedAtBoot, posture: this.posture?.ok ?? "skipped" }, "sandbox engine ready");
      return true;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      if (isSandboxError(err, "DOCKER_UNAVAILABLE")) {
        this.state = "waiting-for-docker";
        this.log.warn({ err: this.lastError }, "Docker unreachable at start; retrying in the background");
        return false;
      }
      this.log.error({ err }, "sandbox engine failed to start; retrying");
      this.state = "waiting-for-docker";
      return false;
    }
  }

  /**
   * Runs a command or snippet in the project's container. Bad requests throw SandboxError
   * BAD_REQUEST before any container work; engine-side failures (capacity, Docker down) come back
   * as a result with status "error" and `errorCode`, so they can be recorded like any execution.
   */
  async execute(projectId: string, request: ExecutionRequest, opts: ExecuteOptions = {}): Promise<SandboxExecutionResult> {
    return this.run(projectId, prepareExecution(request, this.config), opts);
  }

  /**
   * execute() for a request the caller has already validated with prepareExecution (the app
   * prepares once, before it records the execution, and hands the result here).
   */
  async run(projectId: string, prepared: PreparedExecution, opts: ExecuteOptions = {}): Promise<SandboxExecutionResult> {
    try {
      this.assertServing();
    } catch (err) {
      if (isSandboxError(err, "DOCKER_UNAVAILABLE")) return this.failedBeforeRun(prepared, err, performance.now(), opts);
      throw err;
    }
    return this.locks.run(projectId, () => this.executeLocked(projectId, prepared, opts));
  }

  private async executeLocked(projectId: string, prepared: PreparedExecution, opts: ExecuteOptions): Promise<SandboxExecutionResult> {
    const started = performance.now();
    let lease: Lease;
    try {
      lease = await this.leaseWithFiles(projectId, prepared.image, opts.signal);
    } catch (err) {
      if (isSandboxError(err, "BAD_REQUEST")) throw err;
      return this.failedBeforeRun(prepared, err, started, opts);
    }

    let env: Record<string, string>;
    try {
      env = opts.network ? await this.network.prepare(projectId, lease, opts.network) : {};
    } catch (err) {
      return this.failedBeforeRun(prepared, err, started, opts);
    }

    lease.busy++;
    lease.busyUntil = Date.now() + this.busyBudgetMs(prepared.timeoutMs);
    this.active++;
    try {
      const agent = lease.container.agent;
      if (agent) return await this.executeOnAgent(projectId, lease, agent, prepared, opts, env);
      const target = {
        containerId: lease.container.id,
        keepers: () => keepersOf(lease),
        settledKeepers: () => settledKeepersOf(lease),
        deathReason: () => lease.dead,
        deathSignal: lease.died.signal,
        guard: <T>(operation: EngineOperation | "run", work: (signal: AbortSignal) => Promise<T>) =>
          this.guard(lease, operation, work, operation === "run" ? prepared.timeoutMs + this.budgets.kill + RUN_GRACE_MS : undefined),
        lostReason: () => lostReasonOf(lease),
      };
      let run = await this.executor.run(target, prepared, { ...opts, env });
      let files: ExecutionFileChanges | null = null;
      if (!run.containerLost) {
        try {
          files = await this.syncBack(projectId, lease);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.log.warn({ containerId: lease.container.id, projectId, err: message }, "syncing files back failed");
          files = { upserted: [], deleted: [], refused: [], error: message };
          if (isSandboxError(err, "CONTAINER_LOST")) {
            // The engine gave the container up after the command (a deadline expired, or it was
            // released): the run did not complete as recorded, so it is never a success.
            run = { ...run, status: "error", reason: run.reason ?? "killed", error: run.error ?? { code: err.code, message: err.message } };
          }
          // A workspace we cannot list or read is not trustworthy: the next run starts from the store.
          // A store failure (not a SandboxError) keeps the container, so the next run retries the save.
          if (isSandboxError(err)) await this.pool.release(projectId, "sync failed", lease);
        }
      } else {
        await this.pool.release(projectId, "container lost during execution", lease);
      }
      opts.onEvent?.({ seq: run.exitSeq, type: "exit", exitCode: run.exitCode, status: run.status, reason: run.reason, truncated: run.truncated });
      return {
        command: prepared.command,
        language: prepared.language,
        type: prepared.type,
        output: run.output,
        errorOutput: run.error
          ? `${run.errorOutput}${run.errorOutput && !run.errorOutput.endsWith("\n") ? "\n" : ""}pantheon: ${run.error.message}\n`
          : run.errorOutput,
        truncated: run.truncated,
        truncation: run.truncation,
        exitCode: run.exitCode,
        durationMs: run.durationMs,
        memoryPeakMb: run.memoryPeakMb,
        cpuPercent: run.cpuPercent,
        status: run.status,
        reason: run.reason,
        containerId: lease.container.id,
        errorCode: run.error?.code ?? null,
        files,
      };
    } finally {
      lease.busy--;
      if (lease.busy === 0) lease.busyUntil = null;
      lease.lastUsedAt = Date.now();
      this.active--;
    }
  }

  /**
   * An execution through the container's agent: one Start call, then the paths the exit event
   * names are saved to the store BEFORE the result is reported. A run whose written files could
   * not all be saved, or whose agent or container died, ends as an error with the reason: it
   * never reports success while a file it wrote is not in the store.
   */
  private async executeOnAgent(
    projectId: string,
    lease: Lease,
    agent: AgentConnection,
    prepared: PreparedExecution,
    opts: ExecuteOptions,
    env: Record<string, string>,
  ): Promise<SandboxExecutionResult> {
    const oomKillsBefore = lease.state.oomKills;
    const oomEventsBefore = this.pool.ends.oomsOf(lease.container.id);
    const outcome = await runOnAgent(agent, prepared, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      env,
      maxOutputBytes: this.config.maxOutputBytes,
      plainCommands: this.config.plainCommands,
      log: this.log,
      deathSignal: lease.died.signal,
      oom: {
        read: () => this.oomKillsOf(lease),
        before: oomKillsBefore,
        containerOomKilled: () => this.oomVerdict(lease.container.id, oomKillsBefore, oomEventsBefore),
        limitBytes: this.memoryLimitBytes,
      },
    });
    let run: RunOutcome = outcome;
    let files: ExecutionFileChanges | null = null;
    if (outcome.containerLost || !outcome.writes) {
      await this.pool.release(projectId, "container lost during execution", lease);
    } else {
      try {
        files = await this.saveWritten(projectId, lease, agent, outcome.writes);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn({ containerId: lease.container.id, projectId, err: message }, "saving the files an execution wrote failed");
        files = { upserted: [], deleted: [], refused: [], error: message };
        // The container's copy is now the only one: drop it, the next run starts from the store
        // (which holds the last saved state), and this run says it did not complete.
        await this.pool.release(projectId, "saving written files failed", lease);
        run = {
          ...run,
          status: "error",
          error: { code: isSandboxError(err) ? err.code : "SYNC_FAILED", message: `the files this run wrote could not be saved: ${message}` },
        };
      }
    }
    opts.onEvent?.({ seq: run.exitSeq, type: "exit", exitCode: run.exitCode, status: run.status, reason: run.reason, truncated: run.truncated });
    return {
      command: prepared.command,
      language: prepared.language,
      type: prepared.type,
      output: run.output,
      errorOutput: run.error
        ? `${run.errorOutput}${run.errorOutput && !run.errorOutput.endsWith("\n") ? "\n" : ""}pantheon: ${run.error.message}\n`
        : run.errorOutput,
      truncated: run.truncated,
      truncation: run.truncation,
      exitCode: run.exitCode,
      durationMs: run.durationMs,
      memoryPeakMb: run.memoryPeakMb,
      cpuPercent: run.cpuPercent,
      status: run.status,
      reason: run.reason,
      containerId: lease.container.id,
      errorCode: run.error?.code ?? null,
      files,
    };
  }

  /**
   * Saves what the exit event says the run wrote: each path stat'ed and (regular files) read
   * through the agent, compared with the lease's manifest, applied to the store in one call; the
   * manifest moves only once the store has them (agent-save.ts). Too many paths (or a name the
   * agent could not report exactly): one listing through the agent instead.
   */
  private async saveWritten(projectId: string, lease: Lease, agent: AgentConnection, writes: CheckedWrites): Promise<ExecutionFileChanges> {
    const saved = await lease.state.saves.run("", () =>
      this.guard(lease, "collect", (signal) => {
        const manifest = lease.state.manifest;
        if (!manifest) throw new SandboxError("INTERNAL", "the workspace was never loaded in this container");
        const target = { projectId, agent, manifest, store: this.options.store, limits: this.saveLimits, signal };
        return writes.overflow ? resyncThroughAgent(target) : savePathsThroughAgent(target, writes.paths, writes.refused);
      }),
    );
    if (saved.refused.length) this.log.info({ containerId: lease.container.id, projectId, refused: saved.refused }, "files refused by sync");
    return { ...saved, error: null };
  }

  private get saveLimits(): SaveLimits {
    const { maxFileSize, maxProjectSize, binaryFiles, syncIgnore } = this.config;
    return { maxFileSize, maxProjectSize, binaryFiles, ignore: syncIgnore };
  }

  /**
   * Starts the agent's watch of a freshly loaded workspace (agent-watch-save.ts), then takes the
   * agent's stat times as the manifest's baseline. Without a watch (it failed to start), changes
   * made outside executions are saved by listings, as before the agent.
   */
  private async watchLease(projectId: string, lease: Lease, agent: AgentConnection, manifest: Manifest): Promise<void> {
    try {
      lease.state.watch = await this.guard(lease, "list", async (deadline) => {
        const watch = await LeaseWatch.start({
          projectId,
          agent,
          store: this.options.store,
          limits: this.saveLimits,
          log: this.log,
          manifest: () => lease.state.manifest ?? manifest,
          exclusive: (work) => lease.state.saves.run("", () => this.guard(lease, "collect", work)),
          busy: () => lease.busy > 0,
          died: lease.died.signal,
        });
        try {
          await baselineThroughAgent(agent, this.config.syncIgnore, manifest, deadline);
        } catch (err) {
          watch.close();
          throw err;
        }
        return watch;
      });
    } catch (err) {
      if (lease.died.signal.aborted) throw err;
      this.log.warn({ containerId: lease.container.id, projectId, err }, "the workspace watch did not start; changes outside executions are saved by listings");
    }
  }

  /** The pool's beforeRelease: what the watcher has not saved yet goes to the store first. */
  private async saveBeforeRelease(lease: Lease): Promise<void> {
    const watch = lease.state.watch;
    if (!watch) return;
    lease.state.watch = null;
    const saved = await watch.finish();
    if (saved && (saved.upserted.length || saved.deleted.length))
      this.log.info(
        { containerId: lease.container.id, projectId: lease.projectId, upserted: saved.upserted.length, deleted: saved.deleted.length },
        "saved before release",
      );
  }

  /**
   * Whether the kernel's OOM killer ended a container whose agent died mid-run. Under gVisor the
   * host kills the sandbox's kernel, the agent's stream may end at once (and the pool then removes
   * the container), and Docker can call the container running, with OOMKilled unset, for seconds
   * on a busy machine (CI saw "killed" for a memory bomb). So, in order: (runsc) the container's
   * cgroup count on the host against the count before the run; Docker's "oom" events for it, kept
   * by container id whatever became of the lease (pool.ends); Docker's record (State.OOMKilled);
   * and for a container that is no longer running, or gone, Docker's die or destroy event (at most
   * OOM_VERDICT_WAIT_MS), after which any oom event of the same end has arrived too.
   */
  private async oomVerdict(containerId: string, oomKillsBefore: number | null, oomEventsBefore: number): Promise<boolean> {
    const sawOomEvent = () => this.pool.ends.oomsOf(containerId) > oomEventsBefore;
    // runsc only: under runc the OOM killer picks the run's process (exit 137, counted by the agent),
    // and a count left by an earlier background process's OOM must not relabel an agent's death.
    let cgroupGone = false;
    if (this.config.runtime === "runsc") {
      const usage = await this.driver.usage(containerId).catch(() => null);
      if (usage?.oomKills != null && usage.oomKills > (oomKillsBefore ?? 0)) return true;
      // No cgroup left: every process of the sandbox is gone, whatever Docker says yet.
      cgroupGone = usage === null;
    }
    if (sawOomEvent()) return true;
    const state = await this.driver.inspect(containerId).catch(() => null);
    if (state?.oomKilled) return true;
    // Still running: only the agent died, the container was not OOM killed.
    if (state?.running && !cgroupGone) return false;
    // It ended, or the pool has removed it already: Docker's oom event for this end comes before
    // its die event (container-ends.ts), and both reach the pool whatever became of the lease.
    if (await this.pool.ends.whenEnded(containerId, OOM_VERDICT_WAIT_MS)) {
      for (let waited = 0; !sawOomEvent() && waited < OOM_AFTER_END_MS; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return sawOomEvent();
  }

  /** The container's OOM kills (the agent's cgroup read, else Docker's stats), remembered on the lease. */
  private async oomKillsOf(lease: Lease): Promise<number | null> {
    const fromAgent = await lease.container.agent?.stats.read({}).catch(() => null);
    let count = fromAgent?.oomKills === undefined ? null : Number(fromAgent.oomKills);
    if (count === null) count = (await this.driver.usage(lease.container.id).catch(() => null))?.oomKills ?? null;
    if (count !== null) lease.state.oomKills = count;
    return count;
  }

  /** Validates files before any container work (BAD_REQUEST names the first bad one). */
  private checkFiles(files: readonly WorkspaceFile[]): CheckedWorkspaceFile[] {
    try {
      return checkWorkspaceFiles(files, this.config);
    } catch (err) {
      if (err instanceof PathRejectedError) throw new SandboxError("BAD_REQUEST", err.message, { cause: err });
      throw err;
    }
  }

  /** The project's container with its files in place (a fresh one is loaded from the store). */
  private async leaseWithFiles(projectId: string, image: ImageKind, signal: AbortSignal | undefined): Promise<Lease> {
    const live = this.pool.lease(projectId);
    if (live && !live.dead && live.container.image === image && live.state.manifest) {
      live.lastUsedAt = Date.now();
      return live;
    }
    // Files are read and validated before a container is taken: a bad stored path costs nothing.
    const stored = await raceAbort(this.options.store.loadFiles(projectId), signal);
    const files = this.checkFiles(stored);
    const { lease, fresh } = await this.pool.acquire(projectId, image, signal ? { signal } : {});
    if (!fresh && lease.state.manifest) return lease;
    try {
      const agent = lease.container.agent;
      if (agent) {
        const manifest = await this.guard(lease, "load", (deadline) => loadThroughAgent(agent, files, deadline));
        await this.watchLease(projectId, lease, agent, manifest);
        lease.state.manifest = manifest;
        await this.oomKillsOf(lease);
      } else {
        const archive = await this.sync.pack(stored);
        const { keepers, manifest } = await this.guard(lease, "load", (deadline) => this.sync.load(lease.container.id, archive, deadline));
        setKeepers(lease, keepers);
        lease.state.manifest = manifest;
      }
      if (signal?.aborted) throw abortError(signal);
      return lease;
    } catch (err) {
      await this.pool.release(projectId, "workspace load failed", lease);
      throw err;
    }
  }

  private async syncBack(projectId: string, lease: Lease): Promise<ExecutionFileChanges> {
    const { manifest: after, warning } = await this.guard(lease, "finish", (deadline) => this.sync.finish(lease.container.id, keepersOf(lease), deadline));
    if (warning) this.log.warn({ containerId: lease.container.id, projectId, warning }, "finish script warning");
    return this.saveChanges(projectId, lease, after);
  }

  /**
   * Saves what changed in the project's live container since the last sync (files written from
   * an interactive shell or by a dev server), without stopping any process. null when the project
   * has no live container.
   */
  async syncWorkspace(projectId: string): Promise<ExecutionFileChanges | null> {
    return this.locks.run(projectId, async () => {
      const lease = this.pool.lease(projectId);
      if (!lease || lease.dead || !lease.state.manifest) return null;
      // The watcher saves as files change: wait for what it has on its way, no listing.
      const watch = lease.state.watch;
      if (watch && !watch.closed) return { ...(await watch.settle()), error: null };
      return this.saveChanges(projectId, lease, await this.guard(lease, "list", (deadline) => this.sync.list(lease.container.id, deadline)));
    });
  }

  private async saveChanges(projectId: string, lease: Lease, after: Manifest): Promise<ExecutionFileChanges> {
    const before = lease.state.manifest;
    if (!before) throw new SandboxError("INTERNAL", "the workspace was never loaded in this container");
    const collected = await this.guard(lease, "collect", (deadline) => this.sync.collect(lease.container.id, before, after, deadline));
    // Files the agent loaded carry no mtime a listing can match: drop those read back unchanged.
    const changes = { ...collected, upserted: collected.upserted.filter((f) => !unchangedSinceWritten(before.get(f.path), f)) };
    if (changes.upserted.length || changes.deleted.length || changes.refused.length) {
      await this.options.store.applyChanges(projectId, changes);
      if (changes.refused.length) this.log.info({ containerId: lease.container.id, projectId, refused: changes.refused }, "files refused by sync");
    }
    // Only now does the baseline move: if saving failed, the next execution retries these changes.
    lease.state.manifest = after;
    return { upserted: changes.upserted.map((f) => f.path), deleted: changes.deleted, refused: changes.refused, error: null };
  }

  private failedBeforeRun(prepared: PreparedExecution, err: unknown, started: number, opts: ExecuteOptions): SandboxExecutionResult {
    const code: SandboxErrorCode = isSandboxError(err) ? err.code : "INTERNAL";
    const message = isSandboxError(err) ? err.message : "the sandbox failed to start";
    if (!isSandboxError(err)) this.log.error({ err }, "execution failed before running");
    const reason: ExecutionReason = code === "CAPACITY" ? "capacity" : code === "CANCELLED" ? "cancelled" : null;
    opts.onEvent?.({ seq: 1, type: "stderr", data: `pantheon: ${message}\n` });
    opts.onEvent?.({ seq: 2, type: "exit", exitCode: null, status: "error", reason, truncated: false });
    return {
      command: prepared.command,
      language: prepared.language,
      type: prepared.type,
      output: "",
      errorOutput: `pantheon: ${message}\n`,
      truncated: false,
      truncation: null,
      exitCode: null,
      durationMs: Math.round(performance.now() - started),
      memoryPeakMb: null,
      cpuPercent: null,
      status: "error",
      reason,
      containerId: null,
      errorCode: code,
      files: null,
    };
  }

  /**
   * Mirrors edits saved in the store (IDE, API) into the project's live container, if it has one.
   * Without a live container this is a no-op: the next execution loads from the store.
   */
  async writeFiles(projectId: string, files: readonly WorkspaceFile[], deleted: readonly string[] = []): Promise<void> {
    const checked = this.checkFiles(files);
    for (const path of deleted) {
      const check = checkStoredPath(path);
      if (!check.ok) throw new SandboxError("BAD_REQUEST", `rejected path ${JSON.stringify(path.slice(0, 120))}: ${check.reason}`);
    }
    // A loaded container with an agent takes the edit at once, even while an execution runs (a
    // save used to wait for the run's end, up to its timeout; a dev server or a watching test
    // runner wants the edit now). The lease's save queue orders it with the watcher's and the
    // exit's saves. The project lock stays for a container being loaded (the load might have read
    // the store before this edit) and for one without an agent.
    const ready = this.pool.lease(projectId);
    const readyAgent = ready && !ready.dead ? ready.container.agent : undefined;
    if (ready && readyAgent && ready.state.manifest) {
      const manifest = ready.state.manifest;
      try {
        await ready.state.saves.run("", () => this.guard(ready, "write", (deadline) => writeThroughAgent(readyAgent, manifest, checked, deleted, deadline)));
        ready.lastUsedAt = Date.now();
      } catch (err) {
        // The store has the edit; a fresh container will load it. Replaced behind the project
        // lock, so a running execution ends first (it ran on the files it had).
        this.log.warn({ containerId: ready.container.id, projectId, err }, "writing files into the live container failed; replacing it");
        const replaced = this.locks.run(projectId, () => this.pool.release(projectId, "file write failed", ready));
        if (ready.busy === 0) await replaced;
        else void replaced.catch(() => {});
      }
      return;
    }
    await this.locks.run(projectId, async () => {
      const lease = this.pool.lease(projectId);
      if (!lease || lease.dead || !lease.state.manifest) return;
      try {
        const { agent, manifest } = { agent: lease.container.agent, manifest: lease.state.manifest };
        if (agent && manifest)
          await lease.state.saves.run("", () => this.guard(lease, "write", (deadline) => writeThroughAgent(agent, manifest, checked, deleted, deadline)));
        else
          lease.state.manifest = await this.guard(lease, "write", async (deadline) =>
            this.sync.write(lease.container.id, await this.sync.pack(files), deleted, deadline),
          );
        lease.lastUsedAt = Date.now();
      } catch (err) {
        // The store has the edit; a fresh container will load it.
        this.log.warn({ containerId: lease.container.id, projectId, err }, "writing files into the live container failed; replacing it");
        await this.pool.release(projectId, "file write failed", lease);
      }
    });
  }

  /**
   * Starts a long-lived process (interactive shell, dev server, tunnel) in the project's container,
   * loading the workspace first if needed. The process is a "kept root": the sweep after every
   * execution spares it and its descendants while it lives. It runs as the sandbox user in
   * /workspace, with the container's limits; it dies with the container (release, idle cleanup).
   */
  async spawn(projectId: string, opts: SpawnOptions): Promise<SandboxProcess> {
    this.assertServing();
    if (!opts.argv.length || opts.argv.some((arg) => arg.includes("\0"))) throw new SandboxError("BAD_REQUEST", "argv must be non-empty strings without NUL");
    // A loaded container whose network already matches needs no lock: a shell or a preview
    // connection then starts at once, even while an execution runs (it used to wait for its end).
    // The sweeps spare it: the run's own sweep spares every other exec, and a kill-all waits for
    // starting spawns to register (lease-processes.ts).
    const ready = this.pool.lease(projectId);
    if (ready && !ready.dead && ready.state.manifest) {
      const network = opts.network ? this.network.readyEnv(ready, opts.network) : {};
      if (network) {
        const env = Object.keys(network).length ? { ...network, ...opts.env } : opts.env;
        return this.spawnIn(projectId, ready, { ...opts, ...(env ? { env } : {}) });
      }
    }
    return this.locks.run(projectId, async () => {
      const live = this.pool.lease(projectId);
      const lease = live && !live.dead && live.state.manifest ? live : await this.leaseWithFiles(projectId, opts.image, opts.signal);
      const network = opts.network ? await this.network.prepare(projectId, lease, opts.network) : {};
      const env = Object.keys(network).length ? { ...network, ...opts.env } : opts.env;
      return this.spawnIn(projectId, lease, { ...opts, ...(env ? { env } : {}) });
    });
  }

  /** Starts a kept root in the lease's container (with or without the project lock: see spawn). */
  private async spawnIn(projectId: string, lease: Lease, opts: SpawnOptions): Promise<SandboxProcess> {
    const containerId = lease.container.id;
    const agent = lease.container.agent;
    if (!agent) throw new SandboxError("INTERNAL", "the container has no agent to start processes with");
    lease.lastUsedAt = Date.now();
    const roots = rootsOf(lease);
    const spawned = await trackPendingSpawn(
      lease,
      this.guard(lease, "spawn", async (deadline) => {
        const spawned = await spawnOnAgent(agent, {
          argv: opts.argv,
          ...(opts.tty ? { tty: true } : {}),
          ...(opts.cols ? { cols: opts.cols } : {}),
          ...(opts.rows ? { rows: opts.rows } : {}),
          ...(opts.env ? { env: opts.env } : {}),
          deathSignal: lease.died.signal,
          startSignal: deadline,
          log: this.log,
          onInput: () => {
            if (opts.inputIsUserAction === false) lease.lastOutputAt = Date.now();
            else lease.lastUsedAt = Date.now();
          },
          onOutput: () => {
            lease.lastOutputAt = Date.now();
          },
        });
        roots.add(spawned.pid);
        return spawned;
      }),
    );
    const { pid } = spawned;
    lease.lastUsedAt = Date.now();
    if (opts.holdsContainer) lease.pinned++;
    const exited = spawned.exited.then((outcome) => {
      if (opts.holdsContainer) lease.pinned--;
      roots.delete(pid);
      lease.lastUsedAt = Date.now();
      this.log.debug({ containerId, projectId, pid, exitCode: outcome.exitCode, reason: outcome.reason }, "spawned process exited");
      return outcome;
    });
    this.log.info({ containerId, projectId, pid, cmd: opts.argv[0], tty: opts.tty === true }, "spawned long-lived process");
    const kill = async () => {
      if (roots.has(pid) && !lease.dead) {
        await this.guard(lease, "kill", () => spawned.killTree()).catch((err: unknown) => {
          this.log.warn({ containerId, projectId, pid, err }, "killing a spawned process failed");
        });
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          spawned.detach("the process did not end after its kill");
          resolve();
        }, KILL_GRACE_MS);
      });
      await Promise.race([exited, timeout]);
      clearTimeout(timer);
    };
    const { stdin, stdout, stderr } = spawned;
    return { pid, stdin, stdout, stderr, exited, kill, resize: (cols: number, rows: number) => spawned.resize(cols, rows) };
  }

  /**
   * A TCP connection to 127.0.0.1:<port> in the project's running container, through its agent:
   * one stream per connection, no process started (a preview's upstream). The container is the
   * project's live lease, never one started for this: without one, nothing listens. Traffic counts
   * as use (input) and output for the idle release, as a preview request always has.
   * `eager`: resolves before the agent connected, so the first bytes written leave with the request
   * (one round trip less; the preview's upstream); nothing listening then ends the socket with
   * NothingListeningError instead of rejecting.
   */
  async connectPort(projectId: string, port: number, opts: { signal?: AbortSignal; eager?: boolean } = {}): Promise<AgentSocket<unknown>> {
    this.assertServing();
    const lease = this.pool.lease(projectId);
    const agent = lease && !lease.dead ? lease.container.agent : null;
    if (!lease || !agent) throw new NothingListeningError(port, `nothing listening on port ${port}: the project's sandbox is not running`);
    lease.lastUsedAt = Date.now();
    const options = {
      lost: lease.died.signal,
      activity: { input: () => (lease.lastUsedAt = Date.now()), output: () => (lease.lastOutputAt = Date.now()) },
    };
    if (opts.eager) return openForward(agent, port, options).socket;
    return forwardPort(agent, port, { ...(opts.signal ? { signal: opts.signal } : {}), ...options });
  }

  /** How many spawned processes are alive in the project's container (0 without one). */
  spawnedProcesses(projectId: string): number {
    const lease = this.pool.lease(projectId);
    return lease ? rootsOf(lease).size : 0;
  }

  /**
   * Destroys the project's container (files are already in the store); the pool refills. It does
   * not wait for the project lock: the container is killed through the runtime now, so whatever
   * holds the lock (an execution, a sync, possibly frozen by the project's own processes) fails
   * fast. A release queued behind the lock then catches a container that a load in flight binds.
   */
  async releaseProject(projectId: string): Promise<void> {
    void this.locks.run(projectId, () => this.pool.release(projectId, "released by caller")).catch(() => {});
    await this.pool.release(projectId, "released by caller");
  }

  /** Drains: refuses new work, waits briefly for running executions, destroys every container. */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return;
    this.state = "stopping";
    this.stopController.abort();
    const deadline = Date.now() + (opts.graceMs ?? 5_000);
    while (this.active > 0 && Date.now() < deadline) await sleep(50);
    // What the watchers hold is saved before the containers go (within the grace, at least a second).
    const saving = Promise.allSettled(this.pool.leaseList().map((lease) => this.saveBeforeRelease(lease)));
    await Promise.race([saving, sleep(Math.max(1_000, deadline - Date.now()))]);
    await this.pool.stop();
    const socketBase = agentSocketBase(this.config);
    if (socketBase !== null) removeAgentSocketInstance(socketBase, this.config.instanceId);
    await this.boot?.catch(() => {});
    this.state = "stopped";
    this.log.info("sandbox engine stopped");
  }

  status(): EngineStatus {
    return {
      state: this.state,
      instanceId: this.config.instanceId,
      runtime: this.config.runtime,
      posture: this.posture,
      pool: this.pool.status(),
      activeExecutions: this.active,
      reapedAtBoot: this.reapedAtBoot,
      missingImages: this.missingImages,
      lastError: this.lastError ?? this.pool.status().lastError,
    };
  }

  private assertServing(): void {
    if (this.state === "ready") return;
    if (this.state === "waiting-for-docker") throw new SandboxError("DOCKER_UNAVAILABLE", "Docker is unreachable; the sandbox engine is retrying");
    if (this.state === "waiting-for-images") throw new SandboxError("NOT_READY", this.lastError ?? "sandbox images missing");
    if (this.state === "refused") throw new SandboxError("NOT_READY", this.lastError ?? "posture check failed");
    throw new SandboxError("NOT_READY", `sandbox engine is ${this.state}`);
  }
}

import type { Logger } from "pino";
import { isAlive } from "@/server/db/running-postgres";
import { type OpenExecutionRow, type OpenProcessRow, recordSweepRepository } from "@/server/repositories/record-sweep-repository";
import { type ServerInstanceRow, serverInstanceRepository } from "@/server/repositories/server-instance-repository";
import type { ServerInstanceIdentity } from "./server-instance";

// Crash-safe records (issue 12 point 3): every execution and background process row reaches a
// final state whatever dies. The run that owns a row records its end (waiting out a database
// outage: durable-record.ts); this sweeper ends the rows nobody will: those of a dead server
// instance (kill -9, a crash, a machine gone), those of this instance whose run is no longer in
// memory, and any still open past its deadline (timeout + engine budgets + grace). It runs at boot,
// then every `intervalMs`; each round also refreshes this instance's heartbeat.

export interface SweepSettings {
  /** How often the sweep runs and the heartbeat is refreshed. */
  intervalMs: number;
  /** An instance silent for this long is dead (a few intervals: a busy host delays a round). */
  staleAfterMs: number;
  /** A row of this instance that its run does not know is left this long first (it may be starting). */
  unknownRowAfterMs: number;
}

// Replicas (services/cluster/SCALE.md): a dead instance's projects, containers and runs are taken
// over within 30 s of its death. Silent for 15 s (three missed beats) is dead; the next round, at
// most 5 s later, removes its containers and ends its rows: 15 + 5 + the removal itself < 30 s.
export const DEFAULT_SWEEP: SweepSettings = { intervalMs: 5_000, staleAfterMs: 15_000, unknownRowAfterMs: 60_000 };

/** The sandbox containers of other instances, as the engine sees them (absent: no engine in this process). */
export interface InstanceContainers {
  /** Instance label → creation time (ms) of its youngest container, for this deployment's scope. */
  otherInstancesWithContainers(): Promise<Map<string, number>>;
  removeInstanceContainers(instanceId: string): Promise<number>;
}

/** A container younger than this may belong to an instance whose first heartbeat is not visible yet. */
const YOUNG_CONTAINER_MS = 30_000;

/** What this process still runs, as the execution hub and the live process map know it. */
export interface LiveRuns {
  execution(id: number): boolean;
  process(id: number): boolean;
}

export interface SweepDecision {
  id: number;
  reason: string;
}

export interface SweepReport {
  executions: SweepDecision[];
  processes: SweepDecision[];
}

/** Why a row's owner can no longer end it (null: it is alive). Pure: tested without a database. */
export function deadOwner(
  instanceId: string | null,
  self: ServerInstanceIdentity,
  instances: Map<string, ServerInstanceRow>,
  now: number,
  settings: SweepSettings,
  alive: (pid: number) => boolean = isAlive,
): string | null {
  if (instanceId === self.id) return null;
  if (instanceId === null) return "the server that started it stopped (it predates instance records)";
  const owner = instances.get(instanceId);
  if (!owner) return `the server instance ${instanceId} that ran it stopped`;
  if (owner.host === self.host && (owner.pid === self.pid || !alive(owner.pid)))
    return `the server instance ${instanceId} that ran it died (process ${owner.pid} is gone)`;
  const silentMs = now - owner.heartbeatAt.getTime();
  if (silentMs > settings.staleAfterMs) return `the server instance ${instanceId} that ran it stopped answering ${Math.round(silentMs / 1000)} s ago`;
  return null;
}

export function executionVerdict(
  row: OpenExecutionRow,
  self: ServerInstanceIdentity,
  instances: Map<string, ServerInstanceRow>,
  live: LiveRuns,
  now: number,
  settings: SweepSettings,
  alive?: (pid: number) => boolean,
): string | null {
  if (row.instanceId === self.id) {
    if (live.execution(row.id)) return null; // its run records the end (the engine's deadlines bound it)
    if (now - row.executedAt.getTime() < settings.unknownRowAfterMs) return null;
    return "its run ended in this server without recording a result (the database was away for too long)";
  }
  const dead = deadOwner(row.instanceId, self, instances, now, settings, alive);
  if (dead) return dead;
  if (row.deadlineAt && row.deadlineAt.getTime() < now)
    return `still running past its deadline (${row.deadlineAt.toISOString()}: its timeout, the engine's budgets and a grace)`;
  return null;
}

export function processVerdict(
  row: OpenProcessRow,
  self: ServerInstanceIdentity,
  instances: Map<string, ServerInstanceRow>,
  live: LiveRuns,
  now: number,
  settings: SweepSettings,
  alive?: (pid: number) => boolean,
): string | null {
  if (row.instanceId === self.id) {
    if (live.process(row.id)) return null;
    if (now - row.startedAt.getTime() < settings.unknownRowAfterMs) return null;
    return "the process is no longer running in this server and its end could not be recorded";
  }
  const dead = deadOwner(row.instanceId, self, instances, now, settings, alive);
  return dead ? `${dead}; the process ended with its container` : null;
}

export class RecordSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepReport> | null = null;

  constructor(
    private readonly opts: {
      self: ServerInstanceIdentity;
      live: LiveRuns;
      log: Logger;
      settings?: SweepSettings;
      /** The engine's view of other instances' containers: a dead instance's are removed each round. */
      containers?: () => InstanceContainers | undefined;
      /**
       * Told each beat what the row said before it (fencing, services/cluster/ownership-fence.ts):
       * a previous beat older than the stale window means peers may have taken this instance's work.
       */
      afterBeat?: (beat: { now: Date; previous: Date | null; sentAt: number }) => Promise<void>;
      /** False while the database is away: the round is skipped (no heartbeat either). */
      databaseUp?: () => boolean;
      now?: () => Date;
    },
  ) {}

  private get settings() {
    return this.opts.settings ?? DEFAULT_SWEEP;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch((err: unknown) => this.opts.log.warn({ err }, "record sweep failed")), this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(opts: { forget: boolean }): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    // A clean shutdown ended its runs (the engine stopped); the next instance need not wait.
    if (opts.forget) await serverInstanceRepository.remove(this.opts.self.id).catch(() => {});
  }

  sweep(): Promise<SweepReport> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<SweepReport> {
    if (this.opts.databaseUp && !this.opts.databaseUp()) return { executions: [], processes: [] };
    const { self, live } = this.opts;
    const settings = this.settings;
    // The beat and every staleness judgement use the database's clock (one clock for all hosts).
    let now: Date;
    if (this.opts.now) await serverInstanceRepository.beat(self, (now = this.opts.now()));
    else {
      const sentAt = Date.now();
      const beat = await serverInstanceRepository.beatOnDatabaseClock(self);
      now = beat.now;
      await this.opts
        .afterBeat?.({ ...beat, sentAt })
        .catch((err: unknown) => this.opts.log.warn({ err: err instanceof Error ? err.message : err }, "fencing check failed"));
    }
    await this.removeDeadInstancesContainers(now.getTime()).catch((err: unknown) =>
      this.opts.log.warn({ err: err instanceof Error ? err.message : err }, "could not remove dead instances' containers"),
    );
    const [executions, processes] = await Promise.all([recordSweepRepository.openExecutions(), recordSweepRepository.openProcesses()]);
    const owners = [...new Set([...executions, ...processes].map((r) => r.instanceId).filter((id): id is string => id !== null && id !== self.id))];
    const instances = new Map((await serverInstanceRepository.find(owners)).map((i) => [i.id, i]));
    const report: SweepReport = { executions: [], processes: [] };
    for (const row of executions) {
      const reason = executionVerdict(row, self, instances, live, now.getTime(), settings);
      if (reason && (await recordSweepRepository.interruptExecution(row.id, reason, now))) report.executions.push({ id: row.id, reason });
    }
    for (const row of processes) {
      const reason = processVerdict(row, self, instances, live, now.getTime(), settings);
      if (reason && (await recordSweepRepository.interruptProcess(row.id, reason, now))) report.processes.push({ id: row.id, reason });
    }
    for (const e of report.executions) this.opts.log.warn({ executionId: e.id, reason: e.reason }, "execution ended as interrupted");
    for (const p of report.processes) this.opts.log.warn({ processId: p.id, reason: p.reason }, "background process ended as interrupted");
    // Instances silent for a day own no open row any more (swept above): their records go.
    await serverInstanceRepository.forgetSilentSince(new Date(now.getTime() - 86_400_000));
    return report;
  }

  /**
   * Containers labelled with an instance the heartbeats call dead are removed (periodically, not
   * only at boot: a peer that dies is cleaned up while the others keep serving). A live
   * instance's containers are never touched, whichever instance booted last.
   */
  private async removeDeadInstancesContainers(now: number): Promise<void> {
    const containers = this.opts.containers?.();
    if (!containers) return;
    const labelled = await containers.otherInstancesWithContainers();
    if (!labelled.size) return;
    const instances = new Map((await serverInstanceRepository.find([...labelled.keys()])).map((i) => [i.id, i]));
    for (const [instanceId, youngestAt] of labelled) {
      if (!instances.has(instanceId) && now - youngestAt < YOUNG_CONTAINER_MS) continue;
      const reason = deadOwner(instanceId, this.opts.self, instances, now, this.settings);
      if (!reason) continue;
      const removed = await containers.removeInstanceContainers(instanceId);
      if (removed) this.opts.log.warn({ instance: instanceId, removed, reason }, "removed the containers of a dead server instance");
    }
  }
}

import type { Logger } from "pino";
import type { ImageKind } from "@/server/sandbox/config";
import type { OrphanSweep } from "@/server/sandbox/fleet";
import { type PoolSizing, warmPoolTarget } from "./pool-sizing";

/** What the cleanup needs from the engine (engine.fleet plus the pool's current target). */
export interface CleanupTarget {
  releaseIdle(): Promise<string[]>;
  reapOrphans(): Promise<OrphanSweep>;
  bindsSince(since: number): { at: number; image: ImageKind }[];
  resizeWarmPool(perImage: number): void;
  warmTarget(): number;
}

/** Retention deletes (repositories). */
export interface RetentionStore {
  deleteProjectSamplesBefore(before: Date): Promise<number>;
  deleteFleetSamplesBefore(before: Date): Promise<number>;
  deleteResolvedAlertsBefore(before: Date): Promise<number>;
}

export interface CleanupSettings {
  intervalMs: number;
  metricsRetentionMs: number;
  fleetMetricsRetentionMs: number;
  alertRetentionMs: number;
  pool: PoolSizing;
}

export interface CleanupReport {
  at: Date;
  durationMs: number;
  /** Projects whose idle container was released by this run. */
  idleReleased: string[];
  orphans: OrphanSweep | null;
  deleted: { projectMetrics: number; fleetMetrics: number; alerts: number } | null;
  pool: { from: number; to: number; peakPerMinute: number } | null;
  /** Steps that failed (each step runs whatever the others did). */
  errors: string[];
}

export interface CleanupOptions {
  target: () => CleanupTarget | undefined;
  store: RetentionStore;
  settings: CleanupSettings;
  log: Logger;
  now?: () => number;
}

/**
 * The cleanup run (every SANDBOX_CLEANUP_INTERVAL): release containers idle past MAX_IDLE_TIME
 * (never one with an execution in flight: the pool checks `busy`), remove orphaned containers,
 * delete data past its retention, and size the warm pool to recent demand. The engine also
 * sweeps idle leases on its own, more often; this run is the backstop and the report.
 */
export class CleanupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CleanupReport> | null = null;
  private last: CleanupReport | null = null;

  constructor(private readonly opts: CleanupOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run().catch(() => {}), this.opts.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  latest(): CleanupReport | null {
    return this.last;
  }

  run(): Promise<CleanupReport> {
    this.running ??= this.cleanup().finally(() => (this.running = null));
    return this.running;
  }

  private async cleanup(): Promise<CleanupReport> {
    const now = (this.opts.now ?? Date.now)();
    const started = performance.now();
    const { settings, store, log } = this.opts;
    const errors: string[] = [];
    const step = async <T>(name: string, work: () => Promise<T>): Promise<T | null> => {
      try {
        return await work();
      } catch (e) {
        errors.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
        return null;
      }
    };
    const target = this.opts.target();

    const idleReleased = (target && (await step("idle release", () => target.releaseIdle()))) ?? [];
    const orphans = target ? await step("orphans", () => target.reapOrphans()) : null;
    const deleted = await step("retention", async () => ({
      projectMetrics: await store.deleteProjectSamplesBefore(new Date(now - settings.metricsRetentionMs)),
      fleetMetrics: await store.deleteFleetSamplesBefore(new Date(now - settings.fleetMetricsRetentionMs)),
      alerts: await store.deleteResolvedAlertsBefore(new Date(now - settings.alertRetentionMs)),
    }));
    const pool = target
      ? await step("pool resize", async () => {
          const from = target.warmTarget();
          const { target: to, peakPerMinute } = warmPoolTarget(target.bindsSince(now - settings.pool.windowMs), now, settings.pool);
          target.resizeWarmPool(to);
          return { from, to, peakPerMinute };
        })
      : null;

    const report: CleanupReport = { at: new Date(now), durationMs: Math.round(performance.now() - started), idleReleased, orphans, deleted, pool, errors };
    this.last = report;
    (errors.length ? log.warn.bind(log) : log.info.bind(log))(
      {
        idleReleased: idleReleased.length,
        idleProjects: idleReleased,
        orphans,
        deleted,
        pool,
        errors,
        durationMs: report.durationMs,
        engine: target !== undefined,
      },
      "cleanup run",
    );
    return report;
  }
}

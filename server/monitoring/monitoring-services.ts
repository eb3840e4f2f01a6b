import type { Logger } from "pino";
import type { Env } from "@/lib/env";
import { getDatabaseAvailability } from "@/server/db/database-availability";
import { getLogger } from "@/server/logging/logger";
import { alertRepository } from "@/server/repositories/alert-repository";
import { metricsRepository } from "@/server/repositories/metrics-repository";
import { getAppRuntime } from "@/server/process/app-runtime";
import { alertConfigFrom } from "./alert-config";
import { storeAlertTransition } from "./alert-store";
import { AnomalyScanner } from "./anomaly-scan";
import { CleanupScheduler, type CleanupSettings, type CleanupTarget } from "./cleanup";
import { MetricsCollector } from "./collector";
import { detectExecutionAnomalies } from "./execution-anomalies";
import { type MonitoringHandle, startMonitoring } from "./monitoring-runtime";
import { getFleetMetrics } from "./prometheus";
import { securityCounters } from "./security-events";

export interface MonitoringServices {
  collector: MetricsCollector;
  alerts: MonitoringHandle;
  anomalies: AnomalyScanner;
  cleanup: CleanupScheduler;
  cleanupSettings: CleanupSettings;
  /** Stops every loop and closes the stats streams (before the engine stops). */
  stop(): Promise<void>;
}

const HOUR = 3600_000;

export function cleanupSettingsFrom(env: Env): CleanupSettings {
  return {
    intervalMs: env.SANDBOX_CLEANUP_INTERVAL,
    metricsRetentionMs: env.SANDBOX_METRICS_RETENTION_HOURS * HOUR,
    fleetMetricsRetentionMs: env.SANDBOX_FLEET_METRICS_RETENTION_HOURS * HOUR,
    alertRetentionMs: env.SANDBOX_ALERT_RETENTION_DAYS * 24 * HOUR,
    // The configured pool size is the ceiling; a minimum above it means "the whole pool".
    pool: { windowMs: env.SANDBOX_POOL_DEMAND_WINDOW, min: Math.min(env.SANDBOX_POOL_MIN, env.SANDBOX_POOL_SIZE), max: env.SANDBOX_POOL_SIZE },
  };
}

const engine = () => getAppRuntime().engine;

/**
 * A loop's database work, paused while the supervisor reports the database away: the loops keep
 * ticking (containers are still watched, alerts still evaluated) but skip what needs the
 * database instead of failing and logging every round; the first round after recovery resumes.
 * Samples taken during the outage are not written (a gap in the charts, said in the README).
 */
export function whileDatabaseUp<A extends unknown[], R>(work: (...args: A) => Promise<R>, skipped: () => R): (...args: A) => Promise<R> {
  return (...args) => (getDatabaseAvailability().isUp() ? work(...args) : Promise.resolve(skipped()));
}

const databaseAway = (): never => {
  throw new Error("database unavailable; skipped until it is back");
};

function cleanupTarget(): CleanupTarget | undefined {
  const e = engine();
  if (!e) return undefined;
  return {
    releaseIdle: () => e.fleet.releaseIdle(),
    reapOrphans: () => e.fleet.reapOrphans(),
    bindsSince: (since) => e.fleet.bindsSince(since),
    resizeWarmPool: (n) => e.fleet.resizeWarmPool(n),
    warmTarget: () => e.status().pool.warmTarget,
  };
}

// One set per process, in the process registry: the admin procedures run in Next's bundle and must find
// the instances the custom server started.

export function getMonitoringServices(): MonitoringServices | undefined {
  return getAppRuntime().monitoringServices;
}

/**
 * Starts the collector (every SANDBOX_METRICS_INTERVAL), the alert loop fed by it, the anomaly
 * scan (every minute) and the cleanup (every SANDBOX_CLEANUP_INTERVAL). Throws at start-up on a
 * bad alert setting, naming it.
 */
export function startMonitoringServices(env: Env, log: Logger = getLogger()): MonitoringServices {
  const runtime = getAppRuntime();
  if (runtime.monitoringServices) return runtime.monitoringServices;
  const collector = new MetricsCollector({
    source: () => engine()?.fleet,
    status: () => engine()?.status(),
    figures: (now) => getFleetMetrics().window.figures(now),
    sink: {
      writeProjectSamples: whileDatabaseUp(
        (rows) => metricsRepository.insertProjectSamples(rows),
        () => 0,
      ),
      writeFleetSample: whileDatabaseUp(
        (row) => metricsRepository.insertFleetSample(row),
        () => undefined,
      ),
    },
    log: log.child({ component: "metrics-collector" }),
    intervalMs: env.SANDBOX_METRICS_INTERVAL,
    diskEvery: env.SANDBOX_METRICS_DISK_EVERY,
  });
  const alerts = startMonitoring({
    intervalMs: env.SANDBOX_METRICS_INTERVAL,
    alerts: alertConfigFrom(env),
    containerObservations: () => collector.observations(),
    onTransition: whileDatabaseUp(storeAlertTransition, () => undefined),
  });
  const anomalies = new AnomalyScanner({
    // Throwing (not returning no flags) keeps the admin page's flags; the scan notes why.
    executionFlags: whileDatabaseUp((now) => detectExecutionAnomalies(now), databaseAway),
    series: (now) => [...collector.cpuSeries(), ...securityCounters().series(now.getTime())],
    log: log.child({ component: "anomalies" }),
  });
  const cleanupSettings = cleanupSettingsFrom(env);
  const cleanup = new CleanupScheduler({
    target: cleanupTarget,
    store: {
      deleteProjectSamplesBefore: whileDatabaseUp(
        (d) => metricsRepository.deleteProjectSamplesBefore(d),
        () => 0,
      ),
      deleteFleetSamplesBefore: whileDatabaseUp(
        (d) => metricsRepository.deleteFleetSamplesBefore(d),
        () => 0,
      ),
      deleteResolvedAlertsBefore: whileDatabaseUp(
        (d) => alertRepository.deleteResolvedBefore(d),
        () => 0,
      ),
    },
    settings: cleanupSettings,
    log: log.child({ component: "cleanup" }),
  });
  collector.start();
  anomalies.start();
  cleanup.start();
  const services: MonitoringServices = {
    collector,
    alerts,
    anomalies,
    cleanup,
    cleanupSettings,
    async stop() {
      if (runtime.monitoringServices === services) runtime.monitoringServices = undefined;
      await Promise.all([collector.stop(), anomalies.stop(), cleanup.stop()]);
      await alerts.stop();
    },
  };
  runtime.monitoringServices = services;
  log.info(
    {
      component: "monitoring",
      metricsIntervalMs: env.SANDBOX_METRICS_INTERVAL,
      diskEvery: env.SANDBOX_METRICS_DISK_EVERY,
      cleanupIntervalMs: cleanupSettings.intervalMs,
      retentionHours: { projectMetrics: env.SANDBOX_METRICS_RETENTION_HOURS, fleetMetrics: env.SANDBOX_FLEET_METRICS_RETENTION_HOURS },
      alertRetentionDays: env.SANDBOX_ALERT_RETENTION_DAYS,
      pool: cleanupSettings.pool,
    },
    "monitoring started: metrics collector, alerts, anomaly scan, cleanup",
  );
  return services;
}

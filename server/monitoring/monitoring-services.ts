import type { Logger } from "pino";
import type { Env } from "@/lib/env";
import { getLogger } from "@/server/logging/logger";
import { alertRepository } from "@/server/repositories/alert-repository";
import { metricsRepository } from "@/server/repositories/metrics-repository";
import { getAppRuntime } from "@/server/runtime/app-runtime";
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

// One set per process, on globalThis: the admin procedures run in Next's bundle and must find
// the instances the custom server started.
const holder = globalThis as typeof globalThis & { __pantheonMonitoringServices?: MonitoringServices };

export function getMonitoringServices(): MonitoringServices | undefined {
  return holder.__pantheonMonitoringServices;
}

/**
 * Starts the collector (every SANDBOX_METRICS_INTERVAL), the alert loop fed by it, the anomaly
 * scan (every minute) and the cleanup (every SANDBOX_CLEANUP_INTERVAL). Throws at start-up on a
 * bad alert setting, naming it.
 */
export function startMonitoringServices(env: Env, log: Logger = getLogger()): MonitoringServices {
  if (holder.__pantheonMonitoringServices) return holder.__pantheonMonitoringServices;
  const collector = new MetricsCollector({
    source: () => engine()?.fleet,
    status: () => engine()?.status(),
    figures: (now) => getFleetMetrics().window.figures(now),
    sink: {
      writeProjectSamples: (rows) => metricsRepository.insertProjectSamples(rows),
      writeFleetSample: (row) => metricsRepository.insertFleetSample(row),
    },
    log: log.child({ component: "metrics-collector" }),
    intervalMs: env.SANDBOX_METRICS_INTERVAL,
    diskEvery: env.SANDBOX_METRICS_DISK_EVERY,
  });
  const alerts = startMonitoring({ intervalMs: env.SANDBOX_METRICS_INTERVAL, containerObservations: () => collector.observations() });
  const anomalies = new AnomalyScanner({
    executionFlags: (now) => detectExecutionAnomalies(now),
    series: (now) => [...collector.cpuSeries(), ...securityCounters().series(now.getTime())],
    log: log.child({ component: "anomalies" }),
  });
  const cleanupSettings = cleanupSettingsFrom(env);
  const cleanup = new CleanupScheduler({
    target: cleanupTarget,
    store: {
      deleteProjectSamplesBefore: (d) => metricsRepository.deleteProjectSamplesBefore(d),
      deleteFleetSamplesBefore: (d) => metricsRepository.deleteFleetSamplesBefore(d),
      deleteResolvedAlertsBefore: (d) => alertRepository.deleteResolvedBefore(d),
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
      if (holder.__pantheonMonitoringServices === services) holder.__pantheonMonitoringServices = undefined;
      await Promise.all([collector.stop(), anomalies.stop(), cleanup.stop()]);
      await alerts.stop();
    },
  };
  holder.__pantheonMonitoringServices = services;
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

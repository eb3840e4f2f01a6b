import type { Env } from "@/lib/env";
import { type AlertThresholdEnv, alertThresholds } from "@/server/monitoring/alert-rules";
import type { AnomalyScan } from "@/server/monitoring/anomaly-scan";
import { getMonitoringServices } from "@/server/monitoring/monitoring-services";
import { getFleetMetrics } from "@/server/monitoring/prometheus";
import { type AlertRecord, alertRepository } from "@/server/repositories/alert-repository";
import { type FleetBucket, metricsRepository } from "@/server/repositories/metrics-repository";
import { sandboxOwnerRepository } from "@/server/repositories/sandbox-owner-repository";
import { getAppRuntime } from "@/server/process/app-runtime";
import { releaseProjectContainer } from "@/server/services/projects/release-container";
import { planSeries } from "./metric-range";

// The admin metrics page's data. Live figures come from memory (the collector's last tick, the
// execution window, the engine's status); history from fleet_metrics, downsampled.

/** The settings the overview reports and plans its series with (the request's configuration). */
export type FleetOverviewSettings = AlertThresholdEnv & Pick<Env, "SANDBOX_METRICS_INTERVAL" | "SANDBOX_CLEANUP_INTERVAL">;

export async function fleetOverview(range: { minutes: number; maxPoints: number }, config: FleetOverviewSettings, now = new Date()) {
  const services = getMonitoringServices();
  const status = getAppRuntime().engine?.status();
  const plan = planSeries({ since: new Date(now.getTime() - range.minutes * 60_000), until: now }, config.SANDBOX_METRICS_INTERVAL, range.maxPoints);
  const series: FleetBucket[] = await metricsRepository.fleetSeries(plan.since, plan.until, plan.bucketMs);
  const cleanup = services?.cleanup.latest() ?? null;
  return {
    at: now,
    monitoring: services !== undefined,
    engine: status
      ? {
          state: status.state,
          runtime: status.runtime,
          activeExecutions: status.activeExecutions,
          lastError: status.lastError,
          pool: {
            warm: status.pool.warm,
            warmTarget: status.pool.warmTarget,
            creating: status.pool.creating,
            leased: status.pool.leased,
            maxConcurrent: status.pool.maxConcurrent,
            dockerAvailable: status.pool.dockerAvailable,
          },
        }
      : null,
    live: getFleetMetrics().window.figures(now.getTime()),
    latest: services?.collector.latestFleet() ?? null,
    series: { bucketMs: plan.bucketMs, points: series },
    thresholds: alertThresholds(config),
    cleanup: {
      intervalMs: services?.cleanupSettings.intervalMs ?? config.SANDBOX_CLEANUP_INTERVAL,
      last: cleanup && {
        at: cleanup.at,
        durationMs: cleanup.durationMs,
        idleReleased: cleanup.idleReleased.length,
        orphansRemoved: cleanup.orphans ? cleanup.orphans.otherInstances + cleanup.orphans.ownUnknown : null,
        rowsDeleted: cleanup.deleted ? cleanup.deleted.projectMetrics + cleanup.deleted.fleetMetrics + cleanup.deleted.alerts : null,
        pool: cleanup.pool,
        errors: cleanup.errors,
      },
    },
  };
}

/** Every live container with its owner, AI personality, age and the collector's latest figures. */
export async function activeSandboxList(now = Date.now()) {
  const active = getAppRuntime().engine?.fleet.activeSandboxes() ?? [];
  const ids = active.map((s) => Number(s.projectId)).filter((id) => Number.isSafeInteger(id) && id > 0);
  const owners = new Map((await sandboxOwnerRepository.describe(ids)).map((o) => [String(o.projectId), o]));
  const collector = getMonitoringServices()?.collector;
  return active
    .map((s) => {
      const owner = owners.get(s.projectId);
      const sample = collector?.latest(s.projectId);
      return {
        projectId: s.projectId,
        projectName: owner?.projectName ?? null,
        ownerEmail: owner?.ownerEmail ?? null,
        createdByAi: owner?.createdByAi ?? null,
        lastRunByAi: owner?.lastRunByAi ?? null,
        containerId: s.containerId.slice(0, 12),
        image: s.image,
        ageMs: Math.max(0, now - s.boundAt),
        idleMs: Math.max(0, now - s.lastUsedAt),
        busy: s.busy,
        cpuPercent: sample?.cpuPercent ?? null,
        memoryMb: sample?.memoryMb ?? null,
        diskMb: sample?.diskMb ?? null,
        pids: sample?.pids ?? null,
      };
    })
    .sort((a, b) => b.ageMs - a.ageMs);
}

/** An admin stops a sandbox: its executions are cancelled and its container released (files are kept). */
export async function stopSandbox(projectId: number): Promise<{ released: boolean }> {
  const held =
    getAppRuntime()
      .engine?.fleet.activeSandboxes()
      .some((s) => s.projectId === String(projectId)) ?? false;
  if (held) await releaseProjectContainer(projectId);
  return { released: held };
}

export async function alertsOverview(now = new Date()): Promise<{ open: AlertRecord[]; recent: AlertRecord[] }> {
  const [open, recent] = await Promise.all([alertRepository.listOpen(), alertRepository.listRecent(new Date(now.getTime() - 24 * 3600_000), 50)]);
  return { open, recent: recent.filter((a) => a.resolvedAt !== null) };
}

export function anomaliesOverview(): AnomalyScan | null {
  return getMonitoringServices()?.anomalies.latest() ?? null;
}

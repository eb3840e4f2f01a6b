import type { Env } from "@/lib/env";
import type { AuthUser } from "@/server/auth/auth-user";
import { type ProjectExecutionBucket, type ProjectExecutionStats, executionStatsRepository } from "@/server/repositories/execution-stats-repository";
import { PROJECT_METRIC_TYPES, type ProjectMetricType, type SeriesBucket, metricsRepository } from "@/server/repositories/metrics-repository";
import { requireProject } from "@/server/services/projects/project-access";
import { planSeries } from "./metric-range";

// A project's metrics, in one place: the IDE's panel (projectMetrics: the latest samples, CPU and
// memory and executions over a window) and the admin page (projectMetricSeries: one metric over
// any range), from sandbox_metrics and sandbox_executions, bounded.

/** The metric names, for the admin API's input schema (routers do not import repositories). */
export { PROJECT_METRIC_TYPES };

export interface ProjectSeriesQuery {
  metric: ProjectMetricType;
  since: Date;
  until: Date;
  /** At most 500 whatever is asked. */
  maxPoints?: number;
}

/** One metric of a project over a range, downsampled to at most `maxPoints` buckets (avg and max). */
export async function projectMetricSeries(
  user: AuthUser,
  projectId: number,
  query: ProjectSeriesQuery,
  config: Pick<Env, "SANDBOX_METRICS_INTERVAL">,
): Promise<{ bucketMs: number; points: SeriesBucket[] }> {
  await requireProject(user, projectId, "read");
  const plan = planSeries(query, config.SANDBOX_METRICS_INTERVAL, query.maxPoints);
  return { bucketMs: plan.bucketMs, points: await metricsRepository.projectSeries(projectId, query.metric, plan.since, plan.until, plan.bucketMs) };
}

export interface ProjectMetrics {
  windowMinutes: number;
  bucketMs: number;
  /** The container's newest sample of each metric (cpu_percent, memory_mb, ...), with its time. */
  latest: Partial<Record<ProjectMetricType, { value: number; at: Date }>>;
  /** CPU and memory over the window, per bucket. */
  cpu: SeriesBucket[];
  memory: SeriesBucket[];
  executions: ProjectExecutionStats & { perBucket: ProjectExecutionBucket[] };
}

const BUCKETS = 60;

/**
 * The IDE's metrics panel: the project container's CPU and memory as the collector samples them
 * (sandbox_metrics), and its executions (sandbox_executions) over the last `windowMinutes`.
 * Owner and admins only, even on a public project: resource figures are not part of what a
 * public project shares.
 */
export async function projectMetrics(user: AuthUser, projectId: number, windowMinutes: number): Promise<ProjectMetrics> {
  await requireProject(user, projectId, "write");
  const until = new Date();
  const since = new Date(until.getTime() - windowMinutes * 60_000);
  const bucketMs = Math.max(5_000, Math.ceil((windowMinutes * 60_000) / BUCKETS / 5_000) * 5_000);
  const [latestRows, cpu, memory, stats, perBucket] = await Promise.all([
    metricsRepository.latestProjectSamples(projectId),
    metricsRepository.projectSeries(projectId, "cpu_percent", since, until, bucketMs),
    metricsRepository.projectSeries(projectId, "memory_mb", since, until, bucketMs),
    executionStatsRepository.projectStats(projectId, since),
    executionStatsRepository.projectPerBucket(projectId, since, bucketMs),
  ]);
  const latest: ProjectMetrics["latest"] = {};
  for (const row of latestRows) {
    const type = PROJECT_METRIC_TYPES.find((t) => t === row.metricType);
    if (type) latest[type] = { value: row.value, at: row.timestamp };
  }
  return { windowMinutes, bucketMs, latest, cpu, memory, executions: { ...stats, perBucket } };
}

import type { AuthUser } from "@/server/auth/auth-user";
import { getEnv } from "@/lib/env";
import type { ProjectSample } from "@/server/monitoring/collector";
import { getMonitoringServices } from "@/server/monitoring/monitoring-services";
import { metricsRepository, type ProjectMetricType, type SeriesBucket } from "@/server/repositories/metrics-repository";
import { requireProject } from "@/server/services/project-access";
import { planSeries } from "./metric-range";

// A project's resource figures, for the IDE's per-project panel and the admin page. The latest
// sample comes from the collector's memory (no query); history from sandbox_metrics, bounded.

/** The collector's newest sample of the project's live container, or null when it has none. */
export function latestProjectSample(projectId: number): ProjectSample | null {
  return getMonitoringServices()?.collector.latest(String(projectId)) ?? null;
}

export interface ProjectSeriesQuery {
  metric: ProjectMetricType;
  since: Date;
  until: Date;
  /** At most 500 whatever is asked. */
  maxPoints?: number;
}

/** One metric of a project over a range, downsampled to at most `maxPoints` buckets (avg and max). */
export async function projectMetricSeries(user: AuthUser, projectId: number, query: ProjectSeriesQuery): Promise<{ bucketMs: number; points: SeriesBucket[] }> {
  await requireProject(user, projectId, "read");
  const plan = planSeries(query, getEnv().SANDBOX_METRICS_INTERVAL, query.maxPoints);
  return { bucketMs: plan.bucketMs, points: await metricsRepository.projectSeries(projectId, query.metric, plan.since, plan.until, plan.bucketMs) };
}

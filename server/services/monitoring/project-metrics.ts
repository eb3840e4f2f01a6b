import type { AuthUser } from "@/server/auth/auth-user";
import { getEnv } from "@/lib/env";
import { metricsRepository, type ProjectMetricType, type SeriesBucket } from "@/server/repositories/metrics-repository";
import { requireProject } from "@/server/services/projects/project-access";
import { planSeries } from "./metric-range";

// A project's resource history, for the IDE's per-project panel and the admin page: from
// sandbox_metrics, bounded.

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

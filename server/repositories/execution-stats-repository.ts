import { getPrisma } from "@/server/db/client";

export interface ExecutionBucketRow {
  projectId: number;
  userId: number | null;
  /** Start of the minute. */
  minute: Date;
  total: number;
  timeouts: number;
  ooms: number;
}

export interface ProjectExecutionStats {
  total: number;
  running: number;
  success: number;
  failed: number;
  timeouts: number;
  avgMs: number | null;
  p95Ms: number | null;
}

export interface ProjectExecutionBucket {
  /** Start of the bucket. */
  at: Date;
  count: number;
  failed: number;
  avgMs: number | null;
}

export const executionStatsRepository = {
  /** A project's executions since `since`: counts by outcome and durations of the finished ones. */
  async projectStats(projectId: number, since: Date): Promise<ProjectExecutionStats> {
    const [row] = await getPrisma().$queryRaw<
      { total: bigint; running: bigint; success: bigint; failed: bigint; timeouts: bigint; avg_ms: number | null; p95_ms: number | null }[]
    >`
      SELECT count(*) AS total,
             count(*) FILTER (WHERE finished_at IS NULL) AS running,
             count(*) FILTER (WHERE status = 'success') AS success,
             count(*) FILTER (WHERE finished_at IS NOT NULL AND status IS DISTINCT FROM 'success') AS failed,
             count(*) FILTER (WHERE status = 'timeout') AS timeouts,
             avg(execution_time_ms) FILTER (WHERE finished_at IS NOT NULL)::float8 AS avg_ms,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY execution_time_ms) FILTER (WHERE finished_at IS NOT NULL)::float8 AS p95_ms
      FROM sandbox_executions
      WHERE project_id = ${projectId} AND executed_at >= ${since}`;
    return {
      total: Number(row?.total ?? 0),
      running: Number(row?.running ?? 0),
      success: Number(row?.success ?? 0),
      failed: Number(row?.failed ?? 0),
      timeouts: Number(row?.timeouts ?? 0),
      avgMs: row?.avg_ms ?? null,
      p95Ms: row?.p95_ms ?? null,
    };
  },

  /** Executions started per bucket of `bucketMs` since `since`, oldest first (empty buckets omitted). */
  async projectPerBucket(projectId: number, since: Date, bucketMs: number): Promise<ProjectExecutionBucket[]> {
    const rows = await getPrisma().$queryRaw<{ bucket: number; count: bigint; failed: bigint; avg_ms: number | null }[]>`
      SELECT floor(extract(epoch FROM executed_at) * 1000 / ${bucketMs})::float8 AS bucket,
             count(*) AS count,
             count(*) FILTER (WHERE finished_at IS NOT NULL AND status IS DISTINCT FROM 'success') AS failed,
             avg(execution_time_ms) FILTER (WHERE finished_at IS NOT NULL)::float8 AS avg_ms
      FROM sandbox_executions
      WHERE project_id = ${projectId} AND executed_at >= ${since}
      GROUP BY bucket ORDER BY bucket`;
    return rows.map((r) => ({ at: new Date(r.bucket * bucketMs), count: Number(r.count), failed: Number(r.failed), avgMs: r.avg_ms }));
  },

  /**
   * Executions per project, user and minute since `since`: the input of anomaly detection.
   * Bucketed in the database so the app never loads a row per execution.
   */
  async perMinute(since: Date): Promise<ExecutionBucketRow[]> {
    const rows = await getPrisma().$queryRaw<{ project_id: number; user_id: number | null; minute: Date; total: bigint; timeouts: bigint; ooms: bigint }[]>`
      SELECT project_id, user_id, date_trunc('minute', executed_at) AS minute,
             count(*) AS total,
             count(*) FILTER (WHERE status = 'timeout') AS timeouts,
             count(*) FILTER (WHERE status_reason = 'oom') AS ooms
      FROM sandbox_executions
      WHERE executed_at >= ${since}
      GROUP BY project_id, user_id, minute`;
    return rows.map((r) => ({
      projectId: r.project_id,
      userId: r.user_id,
      minute: r.minute,
      total: Number(r.total),
      timeouts: Number(r.timeouts),
      ooms: Number(r.ooms),
    }));
  },
};

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

export const executionStatsRepository = {
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

import { getPrisma } from "@/server/db/client";

/**
 * Per-project series in sandbox_metrics, one row per metric and collector sample. The IDE and
 * the admin page read these names. net_* are bytes moved during the sample's interval (not
 * cumulative counters), so a row means the same whatever happened to the container before.
 */
export const PROJECT_METRIC_TYPES = ["cpu_percent", "memory_mb", "disk_mb", "net_rx_bytes", "net_tx_bytes", "pids"] as const;
export type ProjectMetricType = (typeof PROJECT_METRIC_TYPES)[number];
export const PROJECT_METRIC_UNITS: Record<ProjectMetricType, string> = {
  cpu_percent: "percent",
  memory_mb: "MB",
  disk_mb: "MB",
  net_rx_bytes: "bytes",
  net_tx_bytes: "bytes",
  pids: "count",
};

export interface ProjectMetricRow {
  projectId: number;
  metricType: ProjectMetricType;
  value: number;
  timestamp: Date;
}

export interface SeriesBucket {
  /** Start of the bucket. */
  at: Date;
  avg: number;
  max: number;
  samples: number;
}

export interface FleetMetricRow {
  timestamp: Date;
  activeSandboxes: number;
  warmContainers: number;
  activeExecutions: number;
  executionsPerMinute: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  cpuPercent: number;
  memoryMb: number;
}

export type FleetBucket = Omit<FleetMetricRow, "timestamp"> & { at: Date; samples: number };

export const metricsRepository = {
  /**
   * One INSERT for a whole collector tick. Rows of a project deleted meanwhile are skipped
   * instead of failing the batch on the foreign key. Returns the rows written.
   */
  async insertProjectSamples(rows: readonly ProjectMetricRow[]): Promise<number> {
    if (!rows.length) return 0;
    return getPrisma().$executeRaw`
      INSERT INTO sandbox_metrics (project_id, metric_type, value, unit, timestamp)
      SELECT v.project_id, v.metric_type, v.value, v.unit, v.ts
      FROM unnest(${rows.map((r) => r.projectId)}::int[], ${rows.map((r) => r.metricType)}::text[],
                  ${rows.map((r) => r.value)}::float8[], ${rows.map((r) => PROJECT_METRIC_UNITS[r.metricType])}::text[],
                  ${rows.map((r) => r.timestamp)}::timestamp[]) AS v(project_id, metric_type, value, unit, ts)
      WHERE EXISTS (SELECT 1 FROM sandbox_projects p WHERE p.id = v.project_id)`;
  },

  /** Averages and maxima per bucket of `bucketMs`, oldest first; the caller bounds the bucket count. */
  async projectSeries(projectId: number, metricType: ProjectMetricType, since: Date, until: Date, bucketMs: number): Promise<SeriesBucket[]> {
    const rows = await getPrisma().$queryRaw<{ bucket: number; avg: number; max: number; samples: bigint }[]>`
      SELECT floor(extract(epoch FROM timestamp) * 1000 / ${bucketMs})::float8 AS bucket,
             avg(value)::float8 AS avg, max(value)::float8 AS max, count(*) AS samples
      FROM sandbox_metrics
      WHERE project_id = ${projectId} AND metric_type = ${metricType} AND timestamp >= ${since} AND timestamp < ${until} AND value IS NOT NULL
      GROUP BY bucket ORDER BY bucket`;
    return rows.map((r) => ({ at: new Date(r.bucket * bucketMs), avg: r.avg, max: r.max, samples: Number(r.samples) }));
  },

  /** The newest sample of each metric for a project, or nothing when it has none. */
  async latestProjectSamples(projectId: number): Promise<{ metricType: string; value: number; timestamp: Date }[]> {
    const rows = await getPrisma().$queryRaw<{ metric_type: string; value: number; timestamp: Date }[]>`
      SELECT DISTINCT ON (metric_type) metric_type, value, timestamp
      FROM sandbox_metrics WHERE project_id = ${projectId} AND value IS NOT NULL
      ORDER BY metric_type, timestamp DESC`;
    return rows.map((r) => ({ metricType: r.metric_type, value: r.value, timestamp: r.timestamp }));
  },

  async deleteProjectSamplesBefore(before: Date): Promise<number> {
    const { count } = await getPrisma().sandboxMetric.deleteMany({ where: { timestamp: { lt: before } } });
    return count;
  },

  async insertFleetSample(row: FleetMetricRow): Promise<void> {
    await getPrisma().fleetMetric.create({ data: row, select: { id: true } });
  },

  /** Fleet figures averaged per bucket, except p95 which keeps the bucket's worst (a slow minute must not average away). */
  async fleetSeries(since: Date, until: Date, bucketMs: number): Promise<FleetBucket[]> {
    const rows = await getPrisma().$queryRaw<
      {
        bucket: number;
        samples: bigint;
        active_sandboxes: number;
        warm_containers: number;
        active_executions: number;
        executions_per_minute: number;
        error_rate: number;
        p50_ms: number;
        p95_ms: number;
        cpu_percent: number;
        memory_mb: number;
      }[]
    >`
      SELECT floor(extract(epoch FROM timestamp) * 1000 / ${bucketMs})::float8 AS bucket, count(*) AS samples,
             avg(active_sandboxes)::float8 AS active_sandboxes, avg(warm_containers)::float8 AS warm_containers,
             avg(active_executions)::float8 AS active_executions, avg(executions_per_minute)::float8 AS executions_per_minute,
             avg(error_rate)::float8 AS error_rate, avg(p50_ms)::float8 AS p50_ms, max(p95_ms)::float8 AS p95_ms,
             avg(cpu_percent)::float8 AS cpu_percent, avg(memory_mb)::float8 AS memory_mb
      FROM fleet_metrics WHERE timestamp >= ${since} AND timestamp < ${until}
      GROUP BY bucket ORDER BY bucket`;
    return rows.map((r) => ({
      at: new Date(r.bucket * bucketMs),
      samples: Number(r.samples),
      activeSandboxes: r.active_sandboxes,
      warmContainers: r.warm_containers,
      activeExecutions: r.active_executions,
      executionsPerMinute: r.executions_per_minute,
      errorRate: r.error_rate,
      p50Ms: r.p50_ms,
      p95Ms: r.p95_ms,
      cpuPercent: r.cpu_percent,
      memoryMb: r.memory_mb,
    }));
  },

  async deleteFleetSamplesBefore(before: Date): Promise<number> {
    const { count } = await getPrisma().fleetMetric.deleteMany({ where: { timestamp: { lt: before } } });
    return count;
  },
};

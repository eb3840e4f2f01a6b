import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { metricsRepository, type FleetMetricRow } from "./metrics-repository";

async function makeProject() {
  const user = await makeUser();
  return getPrisma().sandboxProject.create({ data: { name: "metrics", userId: user.id }, select: { id: true } });
}

const fleetRow = (timestamp: Date, over: Partial<FleetMetricRow> = {}): FleetMetricRow => ({
  timestamp,
  activeSandboxes: 2,
  warmContainers: 3,
  activeExecutions: 1,
  executionsPerMinute: 10,
  errorRate: 0.1,
  p50Ms: 100,
  p95Ms: 300,
  cpuPercent: 50,
  memoryMb: 200,
  ...over,
});

describe("metricsRepository", () => {
  it("writes a tick in one batch with units, skipping rows of a project that no longer exists", async () => {
    const project = await makeProject();
    const at = new Date(Date.UTC(2031, 0, 1, 12, 0, 3, 250));
    const written = await metricsRepository.insertProjectSamples([
      { projectId: project.id, metricType: "cpu_percent", value: 12.5, timestamp: at },
      { projectId: project.id, metricType: "memory_mb", value: 40, timestamp: at },
      { projectId: 2_000_000_000, metricType: "pids", value: 3, timestamp: at },
    ]);
    expect(written).toBe(2);
    const rows = await getPrisma().sandboxMetric.findMany({
      where: { projectId: project.id },
      select: { metricType: true, value: true, unit: true, timestamp: true },
      orderBy: { metricType: "asc" },
    });
    expect(rows).toEqual([
      { metricType: "cpu_percent", value: 12.5, unit: "percent", timestamp: at },
      { metricType: "memory_mb", value: 40, unit: "MB", timestamp: at },
    ]);
    expect(await metricsRepository.latestProjectSamples(project.id)).toEqual(
      expect.arrayContaining([{ metricType: "cpu_percent", value: 12.5, timestamp: at }]),
    );
  });

  it("downsamples a project's series into buckets with average and maximum", async () => {
    const project = await makeProject();
    const t0 = Date.UTC(2031, 0, 2, 0, 0, 0);
    const rows = Array.from({ length: 24 }, (_, i) => ({
      projectId: project.id,
      metricType: "cpu_percent" as const,
      value: i,
      timestamp: new Date(t0 + i * 5_000),
    }));
    await metricsRepository.insertProjectSamples(rows);
    const buckets = await metricsRepository.projectSeries(project.id, "cpu_percent", new Date(t0), new Date(t0 + 120_000), 60_000);
    expect(buckets).toEqual([
      { at: new Date(t0), avg: 5.5, max: 11, samples: 12 },
      { at: new Date(t0 + 60_000), avg: 17.5, max: 23, samples: 12 },
    ]);
    expect(await metricsRepository.projectSeries(project.id, "memory_mb", new Date(t0), new Date(t0 + 120_000), 60_000)).toEqual([]);
  });

  it("fleet rows: series per bucket (p95 keeps the worst) and retention by age", async () => {
    const t0 = Date.UTC(2032, 5, 1, 0, 0, 0);
    await metricsRepository.insertFleetSample(fleetRow(new Date(t0), { p95Ms: 300, cpuPercent: 40 }));
    await metricsRepository.insertFleetSample(fleetRow(new Date(t0 + 5_000), { p95Ms: 900, cpuPercent: 60 }));
    const [bucket] = await metricsRepository.fleetSeries(new Date(t0), new Date(t0 + 60_000), 60_000);
    expect(bucket).toMatchObject({ at: new Date(t0), samples: 2, p95Ms: 900, cpuPercent: 50, activeSandboxes: 2 });

    const old = new Date(Date.UTC(2001, 0, 1));
    await metricsRepository.insertFleetSample(fleetRow(old));
    const project = await makeProject();
    await metricsRepository.insertProjectSamples([{ projectId: project.id, metricType: "pids", value: 1, timestamp: old }]);
    const cutoff = new Date(Date.UTC(2002, 0, 1));
    expect(await metricsRepository.deleteFleetSamplesBefore(cutoff)).toBeGreaterThanOrEqual(1);
    expect(await metricsRepository.deleteProjectSamplesBefore(cutoff)).toBeGreaterThanOrEqual(1);
    expect(await getPrisma().sandboxMetric.count({ where: { projectId: project.id } })).toBe(0);
    expect(await metricsRepository.fleetSeries(new Date(t0), new Date(t0 + 60_000), 60_000)).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { alertRepository } from "@/server/repositories/alert-repository";

const YEAR = 365 * 24 * 3600_000;

async function admin() {
  return sessionCaller((await makeUser("admin")).id);
}

describe("admin monitoring procedures", () => {
  it("a ten-year fleet query comes back downsampled to at most the points asked for", async () => {
    const now = Date.now();
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      timestamp: new Date(now - 9.9 * YEAR + i * ((9.9 * YEAR) / 3000)),
      activeSandboxes: i % 7,
      warmContainers: 2,
      activeExecutions: 0,
      executionsPerMinute: 1,
      errorRate: 0,
      p50Ms: 10,
      p95Ms: 20,
      cpuPercent: 5,
      memoryMb: 50,
    }));
    await getPrisma().fleetMetric.createMany({ data: rows });
    const caller = await admin();
    const overview = await caller.admin.fleetOverview({ minutes: 10 * 365 * 24 * 60, maxPoints: 500 });
    expect(overview.series.points.length).toBeGreaterThan(100);
    expect(overview.series.points.length).toBeLessThanOrEqual(500);
    expect(overview.series.bucketMs).toBeGreaterThanOrEqual((10 * YEAR) / 499);
    expect(overview.series.points.reduce((n, p) => n + p.samples, 0)).toBeGreaterThanOrEqual(3000);
    expect(overview.thresholds).toMatchObject({ cpu_percent: 80, memory_mb: 400, error_rate: 0.1, execution_time_ms: 30_000, concurrent_sandboxes: 50 });
    await expect(caller.admin.fleetOverview({ minutes: 20 * 365 * 24 * 60 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await getPrisma().fleetMetric.deleteMany({ where: { timestamp: { lt: new Date(now - YEAR / 2) } } });
  });

  it("a project series refuses a range that ends before it starts, with a clear message", async () => {
    const owner = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "p", template: "python-script" });
    const caller = await admin();
    const err = await caller.admin
      .projectMetrics({ projectId: project.id, metric: "memory_mb", since: new Date(), until: new Date(Date.now() - 1000) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST" });
    expect(String((err as Error).message)).toContain("until");
    const series = await caller.admin.projectMetrics({
      projectId: project.id,
      metric: "memory_mb",
      since: new Date(Date.now() - 100 * YEAR),
      until: new Date(),
      maxPoints: 500,
    });
    expect(series.points).toEqual([]);
    expect(series.bucketMs).toBeGreaterThanOrEqual((100 * YEAR) / 499);
  });

  it("open and recently resolved alerts; no engine in this process means no sandboxes and nothing to stop", async () => {
    const subject = `project test-${Date.now()}`;
    await alertRepository.raise({
      rule: "memory_mb",
      subject,
      value: 512,
      threshold: 400,
      message: `Memory on ${subject} is 512 MB, above 400 MB`,
      raisedAt: new Date(),
    });
    const caller = await admin();
    const alerts = await caller.admin.alerts();
    expect(alerts.open.find((a) => a.subject === subject)).toMatchObject({ rule: "memory_mb", value: 512, resolvedAt: null });
    await alertRepository.resolve({ rule: "memory_mb", subject, peak: 600, resolvedAt: new Date() });
    const after = await caller.admin.alerts();
    expect(after.open.find((a) => a.subject === subject)).toBeUndefined();
    expect(after.recent.find((a) => a.subject === subject)).toMatchObject({ peak: 600 });
    expect(await caller.admin.activeSandboxes()).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { executionRepository } from "@/server/repositories/execution-repository";
import { metricsRepository } from "@/server/repositories/metrics-repository";

async function execution(projectId: number, userId: number, status: "success" | "error" | "timeout" | null, ms: number) {
  const row = await executionRepository.start({ projectId, userId, executedCode: "x", language: null, executionType: "run", executedByAi: null });
  if (status === null) return row;
  return executionRepository.finish(row.id, {
    output: "",
    errorOutput: "",
    outputTruncated: false,
    exitCode: status === "success" ? 0 : 1,
    executionTimeMs: ms,
    memoryUsedMb: 10,
    cpuUsagePercent: 5,
    status,
    statusReason: null,
  });
}

describe("projects.metrics", () => {
  it("the container's newest samples, CPU and memory series, and execution figures over the window", async () => {
    const owner = await makeUser();
    const caller = await sessionCaller(owner.id);
    const { id: projectId } = await caller.projects.create({ name: "metrics" });

    const empty = await caller.projects.metrics({ projectId });
    expect(empty).toMatchObject({ latest: {}, cpu: [], memory: [], executions: { total: 0, running: 0, avgMs: null, perBucket: [] } });

    const now = Date.now();
    const at = (agoMs: number) => new Date(now - agoMs);
    await metricsRepository.insertProjectSamples([
      { projectId, metricType: "cpu_percent", value: 20, timestamp: at(10_000) },
      { projectId, metricType: "cpu_percent", value: 60, timestamp: at(4_000) },
      { projectId, metricType: "memory_mb", value: 48, timestamp: at(4_000) },
      { projectId, metricType: "pids", value: 3, timestamp: at(4_000) },
      // Outside a 15-minute window: not in the series, but still the container's newest known disk figure.
      { projectId, metricType: "disk_mb", value: 7, timestamp: at(60 * 60_000) },
      { projectId, metricType: "cpu_percent", value: 99, timestamp: at(60 * 60_000) },
    ]);
    await execution(projectId, owner.id, "success", 100);
    await execution(projectId, owner.id, "success", 300);
    await execution(projectId, owner.id, "timeout", 30_000);
    await execution(projectId, owner.id, null, 0);

    const m = await caller.projects.metrics({ projectId, windowMinutes: 15 });
    expect(m.latest.cpu_percent?.value).toBe(60);
    expect(m.latest.memory_mb?.value).toBe(48);
    expect(m.latest.pids?.value).toBe(3);
    expect(m.latest.disk_mb?.value).toBe(7);
    expect(m.cpu.reduce((n, b) => n + b.samples, 0)).toBe(2);
    expect(Math.max(...m.cpu.map((b) => b.max))).toBe(60);
    expect(m.memory.map((b) => b.avg)).toEqual([48]);
    expect(m.executions).toMatchObject({ total: 4, running: 1, success: 2, failed: 1, timeouts: 1 });
    expect(m.executions.avgMs).toBeCloseTo((100 + 300 + 30_000) / 3);
    expect(m.executions.p95Ms).toBeGreaterThan(300);
    expect(m.executions.perBucket.reduce((n, b) => n + b.count, 0)).toBe(4);
    expect(m.bucketMs).toBeGreaterThanOrEqual(5_000);

    // An admin may look; the windows are bounded.
    const admin = await makeUser("admin");
    await expect((await sessionCaller(admin.id)).projects.metrics({ projectId })).resolves.toMatchObject({ executions: { total: 4 } });
    await expect(caller.projects.metrics({ projectId, windowMinutes: 100_000 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

import Dockerode from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { alertRepository } from "@/server/repositories/alert-repository";
import { metricsRepository } from "@/server/repositories/metrics-repository";
import { LABEL_IMAGE_KIND, LABEL_INSTANCE, LABEL_SANDBOX, LABEL_SCOPE } from "@/server/sandbox/driver";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { CleanupScheduler } from "./cleanup";

const runtime = process.env.SANDBOX_RUNTIME ?? "runc";
const docker = new Dockerode();
const exists = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

describe(`cleanup run on real containers (${runtime})`, () => {
  let engine: SandboxEngine;

  beforeAll(async () => {
    // MAX_IDLE_TIME is an hour so the engine's own sweep stays out of the way: the run below
    // releases with a 1 s threshold, as the scheduler does with the configured one.
    ({ engine } = await startAppEngine({ postureCheck: false, poolSizePerImage: 3, maxIdleTimeMs: 3600_000 }));
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it("releases the idle container but not the busy one, reaps a lost one, deletes expired data and resizes the pool", async () => {
    const owner = await makeUser();
    const caller = await sessionCaller(owner.id);
    const idle = (await caller.projects.create({ name: "idle", template: "python-script" })).id;
    const busy = (await caller.projects.create({ name: "busy", template: "python-script" })).id;
    const idleRun = await engine.execute(String(idle), { kind: "command", command: "true" });
    const busyRun = engine.execute(String(busy), { kind: "command", command: "sleep 4; echo still here" });
    await new Promise((r) => setTimeout(r, 1_500));
    const busyContainer = engine.fleet.activeSandboxes().find((s) => s.projectId === String(busy))?.containerId;
    expect(busyContainer).toBeDefined();
    // The pool's refills exist in Docker before the pool knows their ids, and the sweep below
    // skips the grace period that protects them: only the planted container may count as lost.
    await expect.poll(() => engine.status().pool.creating, { timeout: 60_000 }).toBe(0);

    const lost = await docker.createContainer({
      Image: "pantheon-sandbox/node:latest",
      Cmd: ["sleep", "120"],
      Labels: { [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: engine.config.instanceId, [LABEL_SCOPE]: engine.config.scope, [LABEL_IMAGE_KIND]: "node" },
      HostConfig: { NetworkMode: "none" },
    });
    const old = new Date(Date.UTC(2003, 0, 1));
    await metricsRepository.insertProjectSamples([{ projectId: idle, metricType: "cpu_percent", value: 1, timestamp: old }]);
    await metricsRepository.insertFleetSample({
      timestamp: old,
      activeSandboxes: 0,
      warmContainers: 0,
      activeExecutions: 0,
      executionsPerMinute: 0,
      errorRate: 0,
      p50Ms: 0,
      p95Ms: 0,
      cpuPercent: 0,
      memoryMb: 0,
    });
    const alert = await alertRepository.raise({ rule: "cpu_percent", subject: `project ${idle}`, value: 99, threshold: 80, message: "old", raisedAt: old });
    await alertRepository.resolve({ rule: "cpu_percent", subject: `project ${idle}`, peak: 99, resolvedAt: old });

    const lines: Record<string, unknown>[] = [];
    const cleanup = new CleanupScheduler({
      target: () => ({
        releaseIdle: () => engine.fleet.releaseIdle(1_000),
        // Ten minutes on: the planted container is past the creation grace period.
        reapOrphans: () => engine.fleet.reapOrphans(Date.now() + 10 * 60_000),
        bindsSince: (since) => engine.fleet.bindsSince(since),
        resizeWarmPool: (n) => engine.fleet.resizeWarmPool(n),
        warmTarget: () => engine.status().pool.warmTarget,
      }),
      store: {
        deleteProjectSamplesBefore: (d) => metricsRepository.deleteProjectSamplesBefore(d),
        deleteFleetSamplesBefore: (d) => metricsRepository.deleteFleetSamplesBefore(d),
        deleteResolvedAlertsBefore: (d) => alertRepository.deleteResolvedBefore(d),
      },
      settings: {
        intervalMs: 300_000,
        metricsRetentionMs: 24 * 3600_000,
        fleetMetricsRetentionMs: 24 * 3600_000,
        alertRetentionMs: 24 * 3600_000,
        pool: { windowMs: 15 * 60_000, min: 1, max: 3 },
      },
      log: pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    });
    const report = await cleanup.run();

    expect(report.errors).toEqual([]);
    expect(report.idleReleased).toEqual([String(idle)]);
    expect(await exists(idleRun.containerId!)).toBe(false);
    expect(await exists(busyContainer!)).toBe(true);
    expect(report.orphans).toEqual({ otherInstances: 0, ownUnknown: 1 });
    expect(await exists(lost.id)).toBe(false);
    expect(report.deleted?.projectMetrics).toBeGreaterThanOrEqual(1);
    expect(report.deleted?.fleetMetrics).toBeGreaterThanOrEqual(1);
    expect(report.deleted?.alerts).toBeGreaterThanOrEqual(1);
    expect(await getPrisma().alert.count({ where: { id: alert.id } })).toBe(0);
    // Two binds within one minute: the pool shrinks from 3 to 2.
    expect(report.pool).toEqual({ from: 3, to: 2, peakPerMinute: 2 });
    expect(engine.status().pool.warmTarget).toBe(2);
    expect(lines.find((l) => l.msg === "cleanup run")).toMatchObject({ idleReleased: 1, orphans: { ownUnknown: 1 }, pool: { from: 3, to: 2 } });

    // The busy execution was never disturbed.
    expect(await busyRun).toMatchObject({ status: "success", output: "still here\n" });
  });
});

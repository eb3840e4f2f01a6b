import type Dockerode from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { metricsRepository } from "@/server/repositories/metrics-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { type AlertTransition, AlertStateMachine, DEFAULT_POLICY } from "./alert-rules";
import { MetricsCollector, type TickResult } from "./collector";
import { getFleetMetrics } from "./prometheus";

const runtime = process.env.SANDBOX_RUNTIME ?? "runc";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`metrics collector against real containers (${runtime})`, () => {
  let engine: SandboxEngine;
  let docker: Dockerode;
  let collector: MetricsCollector;
  const ticks: TickResult[] = [];
  let burner: number;
  // The alert rules fed from the collector, as monitoring-services wires them (CPU threshold lowered
  // so a spinning shell under a loaded machine clears it).
  const alerts = new AlertStateMachine({ ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, cpu_percent: 20 } });
  const transitions: AlertTransition[] = [];
  let writer: number;

  beforeAll(async () => {
    ({ engine, docker } = await startAppEngine({ postureCheck: false, poolSizePerImage: 1 }));
    const owner = await makeUser();
    const caller = await sessionCaller(owner.id);
    burner = (await caller.projects.create({ name: "burner", template: "python-script" })).id;
    writer = (await caller.projects.create({ name: "writer", template: "python-script" })).id;
    collector = new MetricsCollector({
      source: () => engine.fleet,
      status: () => engine.status(),
      figures: (now) => getFleetMetrics().window.figures(now),
      sink: {
        writeProjectSamples: (rows) => metricsRepository.insertProjectSamples(rows),
        writeFleetSample: (row) => metricsRepository.insertFleetSample(row),
      },
      log: pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }),
      intervalMs: 1_000,
      diskEvery: 2,
    });
    collector.onTick((r) => {
      ticks.push(r);
      transitions.push(...alerts.observe(collector.observations(), r.fleet.at));
    });
  });

  afterAll(async () => {
    await collector?.stop();
    await engine?.stop();
  });

  it("samples CPU, memory, disk and pids of each active container and writes them per project", async () => {
    const written = await engine.execute(String(writer), {
      kind: "command",
      command: "mkdir -p node_modules && head -c 3000000 /dev/urandom > node_modules/blob",
    });
    expect(written.status).toBe("success");
    const burning = engine.execute(String(burner), { kind: "command", command: "timeout 8 sh -c 'while :; do :; done'; true", timeoutMs: 30_000 });
    const since = new Date();
    for (let i = 0; i < 6; i++) {
      await collector.tick();
      await sleep(1_000);
    }
    await collector.tick();
    expect((await burning).status).toBe("success");

    const burnerCpu = ticks.flatMap((t) => t.projects.filter((p) => p.projectId === String(burner)).map((p) => p.cpuPercent ?? 0));
    expect(Math.max(...burnerCpu), JSON.stringify(burnerCpu)).toBeGreaterThan(30);
    const latest = collector.latest(String(writer));
    expect(latest?.diskMb).toBeGreaterThanOrEqual(2.8);
    expect(latest?.memoryMb).toBeGreaterThan(0);
    expect(latest?.pids).toBeGreaterThanOrEqual(1);
    expect(latest?.netRxBytes).toBe(0);

    const rows = await getPrisma().sandboxMetric.groupBy({
      by: ["projectId", "metricType"],
      where: { projectId: { in: [burner, writer] }, timestamp: { gte: since } },
      _count: true,
    });
    const names = (projectId: number) =>
      rows
        .filter((r) => r.projectId === projectId)
        .map((r) => r.metricType)
        .sort();
    const all = ["cpu_percent", "disk_mb", "memory_mb", "net_rx_bytes", "net_tx_bytes", "pids"];
    expect(names(burner)).toEqual(all);
    expect(names(writer)).toEqual(all);
    const fleet = await metricsRepository.fleetSeries(since, new Date(Date.now() + 1000), 60_000);
    expect(fleet.reduce((n, b) => n + b.samples, 0)).toBeGreaterThanOrEqual(6);
    expect(Math.max(...ticks.map((t) => t.fleet.activeSandboxes))).toBeGreaterThanOrEqual(2);
    expect(Math.max(...ticks.map((t) => t.fleet.cpuPercent))).toBeGreaterThan(30);

    // The busy container raised a CPU alert; once it went quiet, the alert resolved.
    for (let i = 0; i < 4; i++) {
      await sleep(1_000);
      await collector.tick();
    }
    const cpu = transitions.filter((t) => t.rule === "cpu_percent" && t.subject === `project ${burner}`);
    expect(cpu.map((t) => t.kind)).toEqual(["raised", "resolved"]);
    expect(cpu[0]!.value).toBeGreaterThan(20);
  });

  it("a container killed from outside is skipped; the others are still collected", async () => {
    await engine.execute(String(writer), { kind: "command", command: "true" });
    await engine.execute(String(burner), { kind: "command", command: "true" });
    await collector.tick();
    await sleep(1_200);
    const victim = collector.latest(String(writer))?.containerId ?? engine.fleet.activeSandboxes().find((s) => s.projectId === String(writer))!.containerId;
    await docker.getContainer(victim).kill();
    await sleep(1_500);
    let last: TickResult | undefined;
    for (let i = 0; i < 3; i++) {
      last = await collector.tick();
      await sleep(1_000);
    }
    expect(last?.projects.map((p) => p.projectId)).toContain(String(burner));
    expect(last?.projects.map((p) => p.projectId)).not.toContain(String(writer));
  });
});

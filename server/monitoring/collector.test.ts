import pino from "pino";
import { describe, expect, it } from "vitest";
import type { FleetMetricRow, ProjectMetricRow } from "@/server/repositories/metrics-repository";
import type { ContainerStatsSample, StatsSubscription } from "@/server/sandbox/driver";
import type { EngineStatus } from "@/server/sandbox/engine";
import type { ActiveSandbox } from "@/server/sandbox/fleet";
import { type CollectorSource, MetricsCollector } from "./collector";

// The collector's arithmetic and isolation with a scripted source; the real-Docker behaviour is
// in collector.docker.test.ts.

const MiB = 1024 * 1024;

class ScriptedSource implements CollectorSource {
  sandboxes: ActiveSandbox[] = [];
  listeners = new Map<string, (s: ContainerStatsSample) => void>();
  opened: string[] = [];
  closed: string[] = [];
  failOpen = new Set<string>();
  disk = new Map<string, number>();
  dfCalls: string[] = [];

  add(projectId: string, containerId: string) {
    this.sandboxes.push({ projectId, containerId, image: "node", boundAt: 0, lastUsedAt: 0, busy: 0 });
  }
  activeSandboxes() {
    return this.sandboxes;
  }
  async streamStats(containerId: string, onSample: (s: ContainerStatsSample) => void): Promise<StatsSubscription> {
    this.opened.push(containerId);
    if (this.failOpen.has(containerId)) throw new Error(`no such container ${containerId}`);
    this.listeners.set(containerId, onSample);
    return { closed: new Promise<void>(() => {}), close: () => this.closed.push(containerId) };
  }
  async workspaceBytes(containerId: string) {
    this.dfCalls.push(containerId);
    return this.disk.get(containerId) ?? null;
  }
  push(containerId: string, s: Partial<ContainerStatsSample> & { readAt: number }) {
    this.listeners.get(containerId)?.({ cpuTotalNs: 0, memoryBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 1, ...s });
  }
}

function setup(over: { sinkFails?: boolean } = {}) {
  let now = 1_000_000;
  const source = new ScriptedSource();
  const written: ProjectMetricRow[][] = [];
  const fleet: FleetMetricRow[] = [];
  const collector = new MetricsCollector({
    source: () => source,
    status: () => ({ pool: { leased: 2, warm: { node: 3, python: 1 } }, activeExecutions: 1 }) as unknown as EngineStatus,
    figures: () => ({ executionsPerMinute: 12, errorRate: 0.25, p50Ms: 80, p95Ms: 900 }),
    sink: {
      async writeProjectSamples(rows) {
        if (over.sinkFails) throw new Error("database down");
        written.push(rows);
      },
      async writeFleetSample(row) {
        fleet.push(row);
      },
    },
    log: pino({ level: "silent" }),
    intervalMs: 5_000,
    diskEvery: 3,
    now: () => now,
  });
  return { source, collector, written, fleet, advance: (ms: number) => (now += ms), at: () => now };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("MetricsCollector", () => {
  it("turns cumulative counters into per-tick rates and writes one batch with the metric names", async () => {
    const { source, collector, written, fleet, advance, at } = setup();
    source.add("7", "c7");
    source.disk.set("c7", 12 * MiB);
    await collector.tick(); // opens the stream and runs df on first sight
    await flush();
    source.push("c7", { readAt: at() - 1_000, cpuTotalNs: 1e9, netRxBytes: 100, netTxBytes: 10 });
    advance(5_000);
    source.push("c7", { readAt: at(), cpuTotalNs: 1e9 + 3e9, memoryBytes: 64 * MiB, netRxBytes: 600, netTxBytes: 40, pids: 4 });
    const r = await collector.tick();

    // 3 s of CPU over a 6 s span: 50 % of one core.
    expect(r.projects).toEqual([
      expect.objectContaining({ projectId: "7", cpuPercent: 50, memoryMb: 64, diskMb: 12, netRxBytes: 500, netTxBytes: 30, pids: 4 }),
    ]);
    expect(written.at(-1)!.map((row) => [row.metricType, row.value])).toEqual([
      ["cpu_percent", 50],
      ["memory_mb", 64],
      ["net_rx_bytes", 500],
      ["net_tx_bytes", 30],
      ["pids", 4],
    ]);
    expect(fleet.at(-1)).toMatchObject({
      activeSandboxes: 2,
      warmContainers: 4,
      activeExecutions: 1,
      executionsPerMinute: 12,
      errorRate: 0.25,
      p95Ms: 900,
      cpuPercent: 50,
      memoryMb: 64,
    });
    expect(collector.latest("7")).toMatchObject({ cpuPercent: 50, memoryMb: 64, diskMb: 12 });
    expect(collector.observations()).toEqual([
      { rule: "cpu_percent", subject: "project 7", value: 50 },
      { rule: "memory_mb", subject: "project 7", value: 64 },
    ]);
    expect(collector.cpuSeries()).toEqual([{ subject: { kind: "project", id: "7" }, signal: "cpu_percent", values: [50] }]);
  });

  it("measures disk on first sight and every Nth tick, writing disk_mb only when measured", async () => {
    const { source, collector, written, advance, at } = setup();
    source.add("8", "c8");
    source.disk.set("c8", 2 * MiB);
    const diskRows = () => written.at(-1)!.filter((row) => row.metricType === "disk_mb").length;
    await collector.tick();
    await flush();
    for (let i = 0; i < 6; i++) {
      advance(5_000);
      source.push("c8", { readAt: at(), cpuTotalNs: i * 1e9 });
      await collector.tick();
    }
    // Ticks 1..7: df at ticks 1, 4 and 7 (every 3rd, counting the first).
    expect(source.dfCalls).toHaveLength(3);
    expect(diskRows()).toBe(1);
    expect(collector.latest("8")?.diskMb).toBe(2);
  });

  it("spreads the df of containers seen together over the following ticks", async () => {
    const { source, collector, advance } = setup();
    for (const id of ["a", "b", "c"]) source.add(id, id);
    await collector.tick();
    expect(source.dfCalls.sort()).toEqual(["a", "b", "c"]);
    const perTick: string[][] = [];
    for (let i = 0; i < 6; i++) {
      source.dfCalls = [];
      advance(5_000);
      await collector.tick();
      perTick.push(source.dfCalls);
    }
    // diskEvery 3: after the first sight, one container per tick, then each every third tick.
    expect(perTick.map((c) => c.length)).toEqual([0, 0, 1, 1, 1, 1]);
  });

  it("one container failing (stream refused, stale or missing readings) never stops the others", async () => {
    const { source, collector, advance, at } = setup();
    source.add("1", "ok");
    source.add("2", "broken");
    source.add("3", "silent");
    source.failOpen.add("broken");
    await collector.tick();
    await flush();
    advance(5_000);
    source.push("ok", { readAt: at() - 4_000 });
    source.push("ok", { readAt: at(), cpuTotalNs: 2e9 });
    const r = await collector.tick();
    expect(r.projects.map((p) => p.projectId)).toEqual(["1"]);
    expect(r.skipped.map((s) => s.containerId).sort()).toEqual(["broken", "silent"]);
    // The refused stream is retried with backoff: after one tick, then two, ...
    expect(source.opened.filter((c) => c === "broken").length).toBe(2);
    source.failOpen.delete("broken");
    advance(5_000);
    await collector.tick();
    await collector.tick();
    await flush();
    expect(source.opened.filter((c) => c === "broken").length).toBe(3);
    // A reading that stopped arriving goes stale instead of being repeated.
    advance(60_000);
    expect((await collector.tick()).projects).toEqual([]);
  });

  it("closes the stream of a released container and forgets its latest sample", async () => {
    const { source, collector, advance, at } = setup();
    source.add("4", "c4");
    await collector.tick();
    await flush();
    source.push("c4", { readAt: at() });
    advance(5_000);
    source.push("c4", { readAt: at(), cpuTotalNs: 1e9 });
    await collector.tick();
    expect(collector.latest("4")).toBeDefined();
    source.sandboxes = [];
    await collector.tick();
    expect(source.closed).toEqual(["c4"]);
    expect(collector.latest("4")).toBeUndefined();
  });

  it("a failing database write is logged, not thrown; the tick still reports its samples", async () => {
    const { source, collector, advance, at } = setup({ sinkFails: true });
    source.add("5", "c5");
    await collector.tick();
    await flush();
    source.push("c5", { readAt: at() });
    advance(5_000);
    source.push("c5", { readAt: at(), cpuTotalNs: 5e9 });
    await expect(collector.tick()).resolves.toMatchObject({ projects: [expect.objectContaining({ cpuPercent: 100 })] });
  });

  it("skips database rows for non-numeric project ids (test engines) but keeps them in memory", async () => {
    const { source, collector, written, advance, at } = setup();
    source.add("scratch", "cx");
    await collector.tick();
    await flush();
    source.push("cx", { readAt: at() });
    advance(5_000);
    source.push("cx", { readAt: at(), cpuTotalNs: 1e9 });
    await collector.tick();
    expect(written.at(-1)).toEqual([]);
    expect(collector.latest("scratch")?.cpuPercent).toBe(20);
  });
});

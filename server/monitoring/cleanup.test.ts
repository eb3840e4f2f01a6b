import pino from "pino";
import { describe, expect, it } from "vitest";
import { type CleanupTarget, CleanupScheduler, type RetentionStore } from "./cleanup";
import { warmPoolTarget } from "./pool-sizing";

const minute = 60_000;
const now = 10_000 * minute;
const sizing = { windowMs: 15 * minute, min: 1, max: 10 };

describe("warmPoolTarget", () => {
  it("is the busiest minute of the busiest image over the window, within bounds", () => {
    const binds = [
      ...Array.from({ length: 4 }, (_, i) => ({ at: now - 3 * minute + i * 1000, image: "node" as const })),
      ...Array.from({ length: 2 }, (_, i) => ({ at: now - 5 * minute + i * 1000, image: "python" as const })),
      // Outside the window: ignored.
      ...Array.from({ length: 9 }, (_, i) => ({ at: now - 20 * minute + i, image: "node" as const })),
    ];
    expect(warmPoolTarget(binds, now, sizing)).toEqual({ target: 4, peakPerMinute: 4 });
    expect(warmPoolTarget([], now, sizing)).toEqual({ target: 1, peakPerMinute: 0 });
    const flood = Array.from({ length: 40 }, (_, i) => ({ at: now - minute / 2 + i, image: "node" as const }));
    expect(warmPoolTarget(flood, now, sizing)).toEqual({ target: 10, peakPerMinute: 40 });
  });
});

function fakeTarget(over: Partial<CleanupTarget> = {}) {
  const resized: number[] = [];
  let warm = 5;
  const target: CleanupTarget = {
    releaseIdle: async () => ["3", "8"],
    reapOrphans: async () => ({ otherInstances: 1, ownUnknown: 0 }),
    bindsSince: () => [{ at: now - minute, image: "node" }],
    resizeWarmPool: (n) => {
      resized.push(n);
      warm = n;
    },
    warmTarget: () => warm,
    ...over,
  };
  return { target, resized };
}

const store = (over: Partial<RetentionStore> = {}): RetentionStore & { cutoffs: Date[] } => {
  const cutoffs: Date[] = [];
  return {
    cutoffs,
    deleteProjectSamplesBefore: async (d) => (cutoffs.push(d), 120),
    deleteFleetSamplesBefore: async (d) => (cutoffs.push(d), 7),
    deleteResolvedAlertsBefore: async (d) => (cutoffs.push(d), 2),
    ...over,
  };
};

const settings = {
  intervalMs: 5 * minute,
  metricsRetentionMs: 24 * 60 * minute,
  fleetMetricsRetentionMs: 7 * 24 * 60 * minute,
  alertRetentionMs: 30 * 24 * 60 * minute,
  pool: sizing,
};

describe("CleanupScheduler", () => {
  it("runs every step and logs one line saying what it did", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    const { target, resized } = fakeTarget();
    const s = store();
    const report = await new CleanupScheduler({ target: () => target, store: s, settings, log, now: () => now }).run();
    expect(report).toMatchObject({
      idleReleased: ["3", "8"],
      orphans: { otherInstances: 1, ownUnknown: 0 },
      deleted: { projectMetrics: 120, fleetMetrics: 7, alerts: 2 },
      pool: { from: 5, to: 1, peakPerMinute: 1 },
      errors: [],
    });
    expect(resized).toEqual([1]);
    expect(s.cutoffs.map((d) => (now - d.getTime()) / minute)).toEqual([24 * 60, 7 * 24 * 60, 30 * 24 * 60]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "cleanup run",
      level: 30,
      idleReleased: 2,
      idleProjects: ["3", "8"],
      deleted: { projectMetrics: 120 },
      pool: { from: 5, to: 1 },
    });
  });

  it("a failing step is reported and the others still run; without an engine only retention runs", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    const { target, resized } = fakeTarget({
      reapOrphans: async () => {
        throw new Error("Docker is unreachable");
      },
    });
    const report = await new CleanupScheduler({ target: () => target, store: store(), settings, log, now: () => now }).run();
    expect(report.errors).toEqual(["orphans: Docker is unreachable"]);
    expect(report.idleReleased).toEqual(["3", "8"]);
    expect(resized).toEqual([1]);
    expect(lines[0]).toMatchObject({ level: 40, errors: ["orphans: Docker is unreachable"] });

    const bare = await new CleanupScheduler({ target: () => undefined, store: store(), settings, log, now: () => now }).run();
    expect(bare).toMatchObject({ idleReleased: [], orphans: null, pool: null, deleted: { alerts: 2 } });
  });
});

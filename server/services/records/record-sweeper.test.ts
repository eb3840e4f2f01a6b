import { describe, expect, it } from "vitest";
import { DEFAULT_SWEEP, deadOwner, executionVerdict, processVerdict } from "./record-sweeper";

const now = Date.parse("2026-12-02T22:00:00Z");
const self = { id: "s-self", host: "h1", pid: 100 };
const instances = new Map([
  ["s-gone", { id: "s-gone", host: "h1", pid: 200, heartbeatAt: new Date(now) }],
  ["s-reused", { id: "s-reused", host: "h1", pid: 100, heartbeatAt: new Date(now) }],
  ["s-far", { id: "s-far", host: "h2", pid: 200, heartbeatAt: new Date(now - 5_000) }],
  ["s-silent", { id: "s-silent", host: "h2", pid: 200, heartbeatAt: new Date(now - 120_000) }],
]);
const alive = (pid: number) => pid !== 200;
const live = { execution: (id: number) => id === 1, process: (id: number) => id === 1 };

describe("the record sweeper's verdicts", () => {
  it("tells a dead owner from a live one", () => {
    expect(deadOwner("s-self", self, instances, now, DEFAULT_SWEEP, alive)).toBeNull();
    expect(deadOwner(null, self, instances, now, DEFAULT_SWEEP, alive)).toMatch(/predates/);
    expect(deadOwner("s-unknown", self, instances, now, DEFAULT_SWEEP, alive)).toMatch(/s-unknown that ran it stopped/);
    expect(deadOwner("s-gone", self, instances, now, DEFAULT_SWEEP, alive)).toMatch(/process 200 is gone/);
    // This process now has the pid a dead instance had: that instance is dead.
    expect(deadOwner("s-reused", self, instances, now, DEFAULT_SWEEP, alive)).toMatch(/died/);
    // Another host: only its heartbeat tells.
    expect(deadOwner("s-far", self, instances, now, DEFAULT_SWEEP, alive)).toBeNull();
    expect(deadOwner("s-silent", self, instances, now, DEFAULT_SWEEP, alive)).toMatch(/stopped answering 120 s ago/);
  });

  it("leaves a live run alone, and ends one past its deadline or lost by this instance", () => {
    const row = (id: number, instanceId: string | null, startedAgoMs: number, deadlineInMs: number | null) => ({
      id,
      instanceId,
      executedAt: new Date(now - startedAgoMs),
      deadlineAt: deadlineInMs === null ? null : new Date(now + deadlineInMs),
    });
    const verdict = (r: ReturnType<typeof row>) => executionVerdict(r, self, instances, live, now, DEFAULT_SWEEP, alive);
    expect(verdict(row(1, "s-self", 600_000, -1))).toBeNull(); // its run is in memory: it records the end itself
    expect(verdict(row(2, "s-self", 5_000, 60_000))).toBeNull(); // just started, maybe not in memory yet
    expect(verdict(row(3, "s-self", 120_000, 60_000))).toMatch(/without recording a result/);
    expect(verdict(row(4, "s-far", 10_000, 60_000))).toBeNull();
    expect(verdict(row(5, "s-far", 600_000, -1))).toMatch(/past its deadline/);
    expect(verdict(row(6, "s-gone", 1_000, 60_000))).toMatch(/died/);
    const proc = (id: number, instanceId: string | null, startedAgoMs: number) => ({ id, instanceId, startedAt: new Date(now - startedAgoMs) });
    expect(processVerdict(proc(1, "s-self", 600_000), self, instances, live, now, DEFAULT_SWEEP, alive)).toBeNull();
    expect(processVerdict(proc(2, "s-self", 600_000), self, instances, live, now, DEFAULT_SWEEP, alive)).toMatch(/no longer running/);
    expect(processVerdict(proc(3, "s-far", 600_000), self, instances, live, now, DEFAULT_SWEEP, alive)).toBeNull();
    expect(processVerdict(proc(4, "s-silent", 600_000), self, instances, live, now, DEFAULT_SWEEP, alive)).toMatch(/ended with its container/);
  });
});

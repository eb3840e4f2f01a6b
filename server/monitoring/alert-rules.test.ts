import { describe, expect, it } from "vitest";
import { type AlertTransition, AlertStateMachine, DEFAULT_POLICY, type Observation } from "./alert-rules";

const t = (i: number) => new Date(1_000_000 + i * 5_000);
const cpu = (value: number, subject = "project:1"): Observation => ({ rule: "cpu_percent", subject, value });

function run(machine: AlertStateMachine, series: (number | null)[], subject = "project:1"): { tick: number; tr: AlertTransition }[] {
  return series.flatMap((v, i) => machine.observe(v === null ? [] : [cpu(v, subject)], t(i)).map((tr) => ({ tick: i, tr })));
}

describe("AlertStateMachine", () => {
  it("raises once after two ticks above, and resolves after three ticks clearly below", () => {
    const events = run(new AlertStateMachine(), [10, 95, 96, 97, 99, 98, 50, 50, 50, 50]);
    expect(events.map((e) => [e.tick, e.tr.kind])).toEqual([
      [2, "raised"],
      [8, "resolved"],
    ]);
    expect(events[0]?.tr.message).toBe("CPU on project:1 is 96.0 %, above 80.0 %");
    expect(events[1]?.tr.since).toEqual(t(2));
    expect(events[1]?.tr.peak).toBe(99);
  });

  it("a single spike does not raise", () => {
    expect(run(new AlertStateMachine(), [10, 99, 10, 99, 10, 99])).toEqual([]);
  });

  it("hovering around the threshold raises once, no flapping storm", () => {
    // 79 is inside the hysteresis band (72..80): it never counts as back to normal.
    const series = [81, 85, 79, 81, 79, 85, 79, 81, 79, 81, 79, 85];
    const events = run(new AlertStateMachine(), series);
    expect(events.map((e) => e.tr.kind)).toEqual(["raised"]);
  });

  it("an alert whose subject disappears resolves instead of staying open", () => {
    const m = new AlertStateMachine();
    const events = run(m, [90, 90, null, null, null]);
    expect(events.map((e) => [e.tick, e.tr.kind])).toEqual([
      [1, "raised"],
      [4, "resolved"],
    ]);
    expect(m.open()).toEqual([]);
  });

  it("tracks rules and subjects independently and honours configured thresholds", () => {
    const m = new AlertStateMachine({ ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, memory_mb: 100 }, raiseAfter: 1 });
    const raised = m.observe(
      [
        { rule: "memory_mb", subject: "project:1", value: 150 },
        { rule: "memory_mb", subject: "project:2", value: 50 },
        { rule: "concurrent_sandboxes", subject: "fleet", value: 51 },
        { rule: "error_rate", subject: "fleet", value: 0.05 },
      ],
      t(0),
    );
    expect(raised.map((r) => `${r.rule}/${r.subject}`).sort()).toEqual(["concurrent_sandboxes/fleet", "memory_mb/project:1"]);
    expect(m.open()).toHaveLength(2);
  });
});

import { describe, expect, it } from "vitest";
import { type AnomalySignal, type AnomalySubject, detectAnomalies, type SignalSeries } from "./anomaly";

const project = (id: string): AnomalySubject => ({ kind: "project", id });
const user = (id: string): AnomalySubject => ({ kind: "user", id });
const series = (subject: AnomalySubject, signal: AnomalySignal, values: number[]): SignalSeries => ({ subject, signal, values });
// A deterministic, noisy steady load around `level` (no Math.random: tests must repeat).
const steady = (n: number, level: number, spread: number) => Array.from({ length: n }, (_, i) => level + ((i * 5) % (2 * spread + 1)) - spread);

describe("detectAnomalies", () => {
  it("flags a burst of executions against the project's own history, with the numbers", () => {
    const flags = detectAnomalies([series(project("p1"), "executions", [...steady(60, 10, 3), 60])]);
    expect(flags).toHaveLength(1);
    const f = flags[0];
    expect(f).toMatchObject({ reason: "self", signal: "executions", value: 60, baseline: 10 });
    expect(f?.z).toBeGreaterThan(3.5);
    expect(f?.message).toContain("project p1: executions 60 against its own median 10");
  });

  it("stays quiet for ordinary variation, for small absolute numbers, and without enough history", () => {
    expect(detectAnomalies([series(project("p1"), "executions", [...steady(60, 10, 3), 13])])).toEqual([]);
    // 0 → 20 is a large z but below the floor of 30 per minute.
    expect(detectAnomalies([series(project("p1"), "executions", [...Array<number>(60).fill(0), 20])])).toEqual([]);
    expect(detectAnomalies([series(project("p1"), "executions", [1, 1, 200])])).toEqual([]);
  });

  it("a project that was always busy is not flagged for staying busy", () => {
    expect(detectAnomalies([series(project("ci"), "executions", [...steady(60, 100, 10), 105])])).toEqual([]);
  });

  it("flags sustained full CPU (mining) but not a short spike", () => {
    const mining = [...steady(40, 10, 5), ...Array<number>(24).fill(99)];
    const flags = detectAnomalies([series(project("m"), "cpu_percent", mining)]);
    expect(flags.map((f) => f.reason)).toContain("sustained");
    expect(flags.find((f) => f.reason === "sustained")?.message).toBe("project m: cpu_percent at or above 95 for the last 24 samples (lowest 99)");
    const spike = [...steady(40, 10, 5), ...Array<number>(5).fill(100), 10];
    expect(detectAnomalies([series(project("s"), "cpu_percent", spike)])).toEqual([]);
  });

  it("flags repeated timeouts and OOMs within the recent window", () => {
    const timeouts = [...Array<number>(50).fill(0), 1, 0, 1, 1, 0, 1, 1];
    const flags = detectAnomalies([series(project("t"), "timeouts", timeouts), series(project("o"), "ooms", [0, 0, 1, 1, 1])]);
    expect(flags.map((f) => [f.subject.id, f.reason, f.value])).toEqual([
      ["t", "repeated", 5],
      ["o", "repeated", 3],
    ]);
  });

  it("flags many failed sign-ins and rejected paths per user", () => {
    const flags = detectAnomalies([
      series(user("u1"), "failed_sign_ins", [...Array<number>(30).fill(0), 12]),
      series(user("u2"), "rejected_paths", [...Array<number>(30).fill(0), 2]),
    ]);
    expect(flags.map((f) => `${f.subject.id}/${f.reason}`).sort()).toEqual(["u1/repeated", "u1/self"]);
  });

  it("flags a subject far above the fleet, even without history of its own", () => {
    const fleet = ["a", "b", "c", "d", "e", "f"].map((id, i) => series(user(id), "executions", [8 + i]));
    const flags = detectAnomalies([...fleet, series(user("noisy"), "executions", [90])]);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ subject: { id: "noisy" }, reason: "fleet", value: 90, baseline: 10.5 });
  });

  it("the fleet check needs enough subjects of the same kind", () => {
    const few = [series(user("a"), "executions", [5]), series(user("b"), "executions", [90])];
    expect(detectAnomalies(few)).toEqual([]);
  });
});

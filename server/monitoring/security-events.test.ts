import { describe, expect, it } from "vitest";
import { detectAnomalies } from "./anomaly";
import { MinuteCounters } from "./security-events";

const minute = 60_000;
const t0 = 1_000 * minute;

describe("MinuteCounters", () => {
  it("counts per subject and minute into dense series ending now", () => {
    const c = new MinuteCounters(5);
    c.record({ kind: "user", id: "1" }, "failed_sign_ins", 1, t0);
    c.record({ kind: "user", id: "1" }, "failed_sign_ins", 1, t0 + 10_000);
    c.record({ kind: "user", id: "1" }, "failed_sign_ins", 1, t0 + 2 * minute);
    c.record({ kind: "project", id: "9" }, "rejected_paths", 3, t0 + 2 * minute);
    expect(c.series(t0 + 2 * minute)).toEqual([
      { subject: { kind: "user", id: "1" }, signal: "failed_sign_ins", values: [0, 0, 2, 0, 1] },
      { subject: { kind: "project", id: "9" }, signal: "rejected_paths", values: [0, 0, 0, 0, 3] },
    ]);
  });

  it("forgets subjects quiet for the whole window and caps how many it holds", () => {
    const c = new MinuteCounters(5, 3);
    c.record({ kind: "user", id: "old" }, "failed_sign_ins", 1, t0);
    expect(c.series(t0 + 5 * minute)).toEqual([]);
    expect(c.size).toBe(0);
    for (let i = 0; i < 10; i++) c.record({ kind: "user", id: `unknown:${i}@x` }, "failed_sign_ins", 1, t0);
    expect(c.size).toBe(3);
    expect(c.series(t0).map((s) => s.subject.id)).toEqual(["unknown:7@x", "unknown:8@x", "unknown:9@x"]);
  });

  it("feeds the detector: a password-guessing burst is flagged with its numbers", () => {
    const c = new MinuteCounters(60);
    for (let i = 0; i < 12; i++) c.record({ kind: "user", id: "42" }, "failed_sign_ins", 1, t0 + i * 1000);
    const flags = detectAnomalies(c.series(t0));
    expect(flags).toContainEqual(expect.objectContaining({ subject: { kind: "user", id: "42" }, signal: "failed_sign_ins", reason: "repeated", value: 12 }));
    expect(flags.find((f) => f.reason === "repeated")?.message).toMatch(/12 failed_sign_ins in the last 10 buckets \(limit 10\)/);
  });
});

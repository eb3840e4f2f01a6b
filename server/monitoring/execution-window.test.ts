import { describe, expect, it } from "vitest";
import { ExecutionWindow, percentile } from "./execution-window";

describe("ExecutionWindow", () => {
  it("computes rate, error ratio and percentiles over the last minute only", () => {
    const w = new ExecutionWindow(60_000);
    w.add({ at: 0, status: "error", durationMs: 9_999 }); // falls out of the window
    for (let i = 1; i <= 20; i++) w.add({ at: 10_000 + i, status: i <= 2 ? "timeout" : "success", durationMs: i * 10 });
    const f = w.figures(65_000);
    expect(f.executionsPerMinute).toBe(20);
    expect(f.errorRate).toBeCloseTo(0.1);
    expect(f.p50Ms).toBe(100);
    expect(f.p95Ms).toBe(190);
  });

  it("reports zeros when idle and bounds memory under a burst", () => {
    const w = new ExecutionWindow(60_000, 3);
    expect(w.figures(0)).toEqual({ executionsPerMinute: 0, errorRate: 0, p50Ms: 0, p95Ms: 0 });
    for (let i = 0; i < 10; i++) w.add({ at: i, status: "success", durationMs: i });
    expect(w.figures(10).executionsPerMinute).toBe(3);
  });

  it("percentile is nearest-rank", () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile([5], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });
});

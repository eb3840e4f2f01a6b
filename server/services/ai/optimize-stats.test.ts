import { describe, expect, it } from "vitest";
import { speedUp, wallTime } from "./optimize-stats";

describe("wall time and speed-up", () => {
  it("summarises runs by median, min and max", () => {
    expect(wallTime([30, 10, 20])).toEqual({ runsMs: [30, 10, 20], medianMs: 20, minMs: 10, maxMs: 30 });
  });

  it("a clearly faster candidate has its whole interval above 1", () => {
    const s = speedUp([100, 105, 98, 110, 102], [50, 52, 49, 55, 51]);
    expect(s.faster).toBe("candidate");
    expect(s.ratio).toBeCloseTo(2, 1);
    expect(s.low).toBeGreaterThan(1);
    expect(s.high).toBeGreaterThanOrEqual(s.ratio);
  });

  it("overlapping runs are 'unclear', a slower candidate is 'baseline'; the result is deterministic", () => {
    expect(speedUp([100, 60, 140], [90, 130, 70]).faster).toBe("unclear");
    expect(speedUp([50, 51, 52], [100, 101, 102]).faster).toBe("baseline");
    expect(speedUp([100, 60, 140], [90, 130, 70])).toEqual(speedUp([100, 60, 140], [90, 130, 70]));
  });

  it("zero-time runs do not divide by zero", () => {
    expect(Number.isFinite(speedUp([0, 0], [0, 0]).ratio)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { mad, median, robustZ } from "./robust-stats";

describe("robust statistics", () => {
  it("median and MAD resist one outlier", () => {
    expect(median([])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 1000])).toBe(1);
  });

  it("a flat history uses the MAD floor instead of dividing by zero", () => {
    const r = robustZ(10, [0, 0, 0, 0], 2);
    expect(r).toEqual({ z: (0.6745 * 10) / 2, median: 0, mad: 0 });
  });
});

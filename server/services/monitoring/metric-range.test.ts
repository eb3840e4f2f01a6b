import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { MAX_SERIES_POINTS, planSeries } from "./metric-range";

const at = (ms: number) => new Date(ms);
/** Epoch-aligned buckets a range touches, as the repository's GROUP BY floor(t / bucket) makes them. */
const buckets = (since: number, until: number, bucketMs: number) => Math.floor((until - 1) / bucketMs) - Math.floor(since / bucketMs) + 1;

describe("planSeries", () => {
  it("keeps the sampling interval for short ranges", () => {
    // An hour asked at 1000 points is capped at 500: 7.2 s per point, rounded up to whole 5 s samples.
    expect(planSeries({ since: at(0), until: at(3600_000) }, 5_000, 1000).bucketMs).toBe(10_000);
    expect(planSeries({ since: at(0), until: at(60_000) }, 5_000).bucketMs).toBe(5_000);
  });

  it("downsamples a huge range to at most the maximum number of points, in whole intervals", () => {
    const tenYears = 10 * 365 * 24 * 3600_000;
    const since = 1_700_000_123_456;
    const plan = planSeries({ since: at(since), until: at(since + tenYears) }, 5_000, 100_000);
    expect(plan.bucketMs % 5_000).toBe(0);
    expect(buckets(since, since + tenYears, plan.bucketMs)).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    for (const maxPoints of [2, 60, 120, 499]) {
      const p = planSeries({ since: at(since), until: at(since + 86_400_000 + 17) }, 5_000, maxPoints);
      expect(buckets(since, since + 86_400_000 + 17, p.bucketMs)).toBeLessThanOrEqual(maxPoints);
    }
  });

  it("refuses a range that ends before it starts, saying so", () => {
    expect(() => planSeries({ since: at(10), until: at(10) }, 5_000)).toThrow(AppError);
    expect(() => planSeries({ since: at(20), until: at(10) }, 5_000)).toThrow(/must end after it starts/);
  });
});

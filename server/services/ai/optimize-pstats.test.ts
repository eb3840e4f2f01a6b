import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { PSTATS_FORMAT, PstatsAggregate } from "./optimize-pstats";

const dump = {
  format: PSTATS_FORMAT,
  functions: [
    ["/workspace/slow.py", 1, "slow_function", 1, 1, 900_000, 950_000],
    ["/workspace/slow.py", 8, "fast_one", 1000, 1000, 50_000, 50_000],
    ["~", 0, "<built-in method time.sleep>", 2, 2, 0, 0],
    ["/usr/lib/python3.11/json/__init__.py", 183, "dumps", 1, 1, 10_000, 20_000],
    ["/tmp/.pantheon-profile-x/py/sitecustomize.py", 5, "_save", 1, 1, 1, 1],
    ["~", 0, "<method 'disable' of '_lsprof.Profiler' objects>", 1, 1, 5, 5],
  ],
};

describe("PstatsAggregate", () => {
  it("reports self and total time, shares and call counts; the profiler's own frames are dropped", () => {
    const agg = new PstatsAggregate(["/workspace"]);
    agg.add(JSON.stringify(dump));
    const { spots, profiledMs } = agg.hotSpots(1);
    expect(profiledMs).toBe(960);
    expect(spots.find((s) => s.function === "slow_function")).toMatchObject({
      file: "slow.py",
      line: 1,
      inProject: true,
      selfMs: 900,
      totalMs: 950,
      calls: 1,
      hits: null,
    });
    expect(spots.find((s) => s.function === "fast_one")).toMatchObject({ calls: 1000, selfShare: 0.052 });
    expect(spots.find((s) => s.function.includes("sleep"))).toMatchObject({ file: "(built-in)", line: null, inProject: false });
    expect(spots.find((s) => s.function === "dumps")).toMatchObject({ inProject: false, file: "/usr/lib/python3.11/json/__init__.py" });
    expect(spots.some((s) => s.function === "_save" || s.function.includes("_lsprof"))).toBe(false);
  });

  it("averages over runs", () => {
    const agg = new PstatsAggregate(["/workspace"]);
    agg.add(JSON.stringify(dump));
    agg.add(JSON.stringify(dump));
    expect(agg.hotSpots(2).spots.find((s) => s.function === "fast_one")).toMatchObject({ calls: 1000, selfMs: 50 });
  });

  it("refuses garbage with a clear error", () => {
    const agg = new PstatsAggregate(["/workspace"]);
    for (const [text, pattern] of [
      ["\u0000\u0001marshal", /Python profile could not be read \(not JSON\)/],
      [JSON.stringify({ format: "other", functions: [] }), /not a pantheon-pstats-1 dump/],
      [JSON.stringify({ format: PSTATS_FORMAT, functions: [["f", -1, "x", 0, 0, 0, 0]] }), /not a pantheon-pstats-1 dump/],
      [JSON.stringify({ format: PSTATS_FORMAT, functions: [["f", 1, "x", 0, 0, "NaN", 0]] }), /not a pantheon-pstats-1 dump/],
    ] as const) {
      let error: unknown;
      try {
        agg.add(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(pattern);
    }
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { CpuProfileAggregate } from "./optimize-cpuprofile";

const frame = (functionName: string, url = "file:///workspace/main.js", lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: "1" });

/** root → main → {slow, fast}; slow recurses once; plus an idle node. */
function profile() {
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)", "", -1), children: [2, 6] },
      { id: 2, callFrame: frame("main", "file:///workspace/main.js", 9), children: [3, 5] },
      { id: 3, callFrame: frame("slow", "file:///workspace/lib/slow.js", 0), children: [4] },
      { id: 4, callFrame: frame("slow", "file:///workspace/lib/slow.js", 0) },
      { id: 5, callFrame: frame("", "node:internal/timers", 4) },
      { id: 6, callFrame: frame("(idle)", "", -1) },
    ],
    startTime: 0,
    endTime: 100,
    samples: [3, 4, 4, 5, 2, 6],
    timeDeltas: [10_000, 20_000, 30_000, 5_000, 5_000, 999_000],
  };
}

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected a refusal");
}

describe("CpuProfileAggregate", () => {
  it("charges samples to the running function (self) and once to every distinct function on the stack (total); idle is left out", () => {
    const agg = new CpuProfileAggregate(["/workspace"]);
    agg.add(JSON.stringify(profile()));
    const { spots, profiledMs } = agg.hotSpots(1);
    expect(profiledMs).toBe(70);
    const slow = spots.find((s) => s.function === "slow")!;
    // Recursion: the nested node is the same function, so it is one hot spot and counted once in total.
    expect(slow).toMatchObject({ file: "lib/slow.js", line: 1, inProject: true, selfMs: 60, totalMs: 60, hits: 3, calls: null });
    expect(slow.selfShare).toBeCloseTo(60 / 70, 3);
    const main = spots.find((s) => s.function === "main")!;
    expect(main).toMatchObject({ line: 10, selfMs: 5, totalMs: 70, totalShare: 1 });
    expect(spots.find((s) => s.function === "(anonymous)")).toMatchObject({ file: "node:internal/timers", inProject: false, selfMs: 5 });
    expect(spots.some((s) => s.function === "(idle)" || s.function === "(root)")).toBe(false);
  });

  it("sums profiles of several processes and averages per run", () => {
    const agg = new CpuProfileAggregate(["/workspace"]);
    agg.add(JSON.stringify(profile()));
    agg.add(JSON.stringify(profile()));
    expect(agg.hotSpots(2).spots.find((s) => s.function === "slow")).toMatchObject({ selfMs: 60, hits: 6 });
  });

  it("refuses garbage with a clear error instead of a report", () => {
    const agg = new CpuProfileAggregate(["/workspace"]);
    expect(refusal(() => agg.add("not json {")).message).toMatch(/V8 CPU profile could not be read \(not JSON\)/);
    expect(refusal(() => agg.add(JSON.stringify({ hello: 1 }))).message).toMatch(/not a \.cpuprofile/);
    expect(refusal(() => agg.add(JSON.stringify({ ...profile(), timeDeltas: [1] }))).message).toMatch(/differ in length/);
    expect(refusal(() => agg.add(JSON.stringify({ ...profile(), samples: [3, 4, 4, 5, 2, 99] }))).message).toMatch(/node 99/);
    const dup = profile();
    dup.nodes.push({ id: 2, callFrame: frame("again") });
    expect(refusal(() => agg.add(JSON.stringify(dup))).message).toMatch(/appears twice/);
    const cycle = profile();
    cycle.nodes[4] = { id: 5, callFrame: frame("loop"), children: [2] };
    expect(refusal(() => agg.add(JSON.stringify(cycle))).message).toMatch(/cycle/);
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { CpuProfileAggregate } from "./optimize-cpuprofile";
import { SourceMaps } from "./optimize-source-maps";

const url = "file:///workspace/main.ts";
// Generated line 0 → source line 0; generated line 1 → source line 5 ("AAKA": +5 lines).
const saved = JSON.stringify({ [url]: { version: 3, sources: ["main.ts"], names: [], mappings: "AAAA;AAKA" } });

describe("SourceMaps", () => {
  it("gives back the .ts line of a transpiled position, and null without a map", () => {
    const maps = new SourceMaps();
    maps.add(saved);
    expect(maps.originalLine(url, 1, 0)).toBe(6);
    expect(maps.originalLine(url, 0, 0)).toBe(1);
    expect(maps.originalLine("file:///workspace/other.ts", 1, 0)).toBeNull();
  });

  it("moves a V8 hot spot to its source line", () => {
    const maps = new SourceMaps();
    maps.add(saved);
    const agg = new CpuProfileAggregate(["/workspace"], maps);
    agg.add(
      JSON.stringify({
        nodes: [
          { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 }, children: [2] },
          { id: 2, callFrame: { functionName: "slowTyped", url, lineNumber: 1, columnNumber: 0 } },
        ],
        startTime: 0,
        endTime: 1,
        samples: [2],
        timeDeltas: [1000],
      }),
    );
    expect(agg.hotSpots(1).spots[0]).toMatchObject({ function: "slowTyped", file: "main.ts", line: 6 });
  });

  it("refuses garbage maps with a clear error", () => {
    const maps = new SourceMaps();
    for (const text of ["{", JSON.stringify({ [url]: { version: 2, mappings: "", sources: [] } }), JSON.stringify([1, 2])]) {
      let error: unknown;
      try {
        maps.add(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(/source map profile could not be read/);
    }
  });
});

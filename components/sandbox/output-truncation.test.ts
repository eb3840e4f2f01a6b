import { describe, expect, it } from "vitest";
import { truncationSummary } from "./output-truncation";

describe("truncationSummary", () => {
  it("says what was cut, per stream, from the stored record", () => {
    expect(truncationSummary(false, null)).toBeNull();
    expect(truncationSummary(true, null)).toBe("output truncated");
    expect(truncationSummary(true, { stdout: { droppedBytes: 9_213_700, droppedLines: 92_137 }, stderr: null })).toBe(
      "output truncated: 8.8 MB (92,137 lines) of stdout cut from the middle",
    );
    expect(truncationSummary(true, { stdout: { droppedBytes: 2048, droppedLines: 1 }, stderr: { droppedBytes: 10, droppedLines: 0 } })).toBe(
      "output truncated: 2.0 KB (1 line) of stdout, 10 B (0 lines) of stderr cut from the middle",
    );
  });
});

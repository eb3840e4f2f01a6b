import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatMb, stripAnsi } from "./format";

describe("format", () => {
  it("durations, sizes, and ANSI stripped", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(42.4)).toBe("42 ms");
    expect(formatDuration(1234)).toBe("1.23 s");
    expect(formatDuration(45_000)).toBe("45.0 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatMb(3.14159)).toBe("3.1 MB");
    expect(formatMb(123.6)).toBe("124 MB");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(stripAnsi("\u001b[31mred\u001b[0m \u001b]0;title\u0007ok")).toBe("red ok");
  });
});

import { describe, expect, it } from "vitest";
import { binaryOutputBytes, shownOutput } from "./binary-output";

describe("binary output in the IDE", () => {
  it("shows NUL and invisible controls as U+FFFD, keeps tabs, newlines and colours", () => {
    expect(shownOutput("a\u0000b\u0007\tc\r\n\u001b[31mred")).toBe("a\uFFFDb\uFFFD\tc\r\n\u001b[31mred");
  });

  it("gives the exact bytes: from base64 when the text is not them, from the text when it holds NUL, none for text", () => {
    expect([...(binaryOutputBytes("a\uFFFD", "Yf8=") ?? [])]).toEqual([0x61, 0xff]);
    expect([...(binaryOutputBytes("a\u0000é", null) ?? [])]).toEqual([0x61, 0, 0xc3, 0xa9]);
    expect(binaryOutputBytes("plain\n", null)).toBeNull();
    expect(binaryOutputBytes(null, null)).toBeNull();
  });
});

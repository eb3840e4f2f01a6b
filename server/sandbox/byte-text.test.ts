import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ByteTextDecoder, decodeEscaped, displayText, escapedToBytes, isExactText, outputForTransport } from "./byte-text";

function decodeInChunks(bytes: Buffer, sizes: number[]): string {
  const decoder = new ByteTextDecoder();
  let out = "";
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    out += decoder.write(bytes.subarray(at, at + n));
    at += n;
  }
  return out + decoder.end();
}

describe("byte-text (surrogate escape)", () => {
  it("round-trips any bytes exactly, whole and in chunks of any size", () => {
    for (let round = 0; round < 50; round++) {
      const bytes = Buffer.concat([randomBytes(2000), Buffer.from("é€😀\u0000end", "utf8"), randomBytes(3)]);
      expect(escapedToBytes(decodeEscaped(bytes)).equals(bytes)).toBe(true);
      const chunked = decodeInChunks(bytes, [1, 2, 3, 5, 7, 4096]);
      expect(chunked).toBe(decodeEscaped(bytes));
    }
  });

  it("decodes valid UTF-8 (NUL included) as itself, and a character split across writes whole", () => {
    const text = "a\u0000b é € 😀 💀";
    expect(decodeEscaped(Buffer.from(text))).toBe(text);
    expect(isExactText(decodeInChunks(Buffer.from(text), [1]))).toBe(true);
    expect(decodeInChunks(Buffer.from(text), [1])).toBe(text);
  });

  it("escapes invalid bytes one by one, shows them as U+FFFD, and keeps a surrogate pair of valid text", () => {
    const bytes = Buffer.from([0x61, 0xff, 0x62, 0xed, 0xa0, 0x80, 0xe2, 0x82]);
    const s = decodeEscaped(bytes);
    expect(s).toBe("a\uDCFFb\uDCED\uDCA0\uDC80\uDCE2\uDC82");
    expect(displayText(s)).toBe("a\uFFFDb\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
    // U+1F480 is the pair D83D DC80: its low half is in the escape range but is not lone.
    expect(isExactText("💀")).toBe(true);
    expect(outputForTransport("💀")).toEqual({ text: "💀", base64: null });
    expect(outputForTransport(s)).toEqual({ text: displayText(s), base64: bytes.toString("base64") });
  });

  it("escapes a partial character at the end of the stream instead of dropping it", () => {
    const decoder = new ByteTextDecoder();
    expect(decoder.write(Buffer.from([0x78, 0xe2, 0x82]))).toBe("x");
    expect(decoder.end()).toBe("\uDCE2\uDC82");
  });
});

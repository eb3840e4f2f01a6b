import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapedToBytes, isExactText } from "./byte-text";
import { charBoundary, formatBytes, splitStreamBudget, StreamCap, tailStart } from "./output-cap";

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join("");

/** Feeds `text` in chunks of `size` bytes and returns what was emitted, chunk by chunk. */
function feed(cap: StreamCap, text: string | Buffer, size: number): string[] {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(cap.write(bytes.subarray(i, i + size)));
  return out;
}

describe("StreamCap", () => {
  it("passes output under the cap through unchanged, live", () => {
    const cap = new StreamCap("stdout", { headBytes: 100, tailBytes: 50 });
    expect(feed(cap, "a\nb\n", 2)).toEqual(["a\n", "b\n"]);
    expect(cap.end()).toBe("");
    expect(cap.text).toBe("a\nb\n");
    expect(cap.truncated).toBe(false);
  });

  it("keeps the head and the tail of a flood with a marker saying how much was cut, then the crash", () => {
    const cap = new StreamCap("stdout", { headBytes: 1024, tailBytes: 1024 });
    const flood = lines(1, 300_000) + "Traceback (most recent call last):\nValueError: boom\n";
    const live = feed(cap, flood, 4096).join("");
    const tail = cap.end();
    expect(cap.truncated).toBe(true);
    // The live part: the head, cut at a line end, then the notice (the cut happens as it streams).
    expect(live.startsWith(lines(1, 10))).toBe(true);
    expect(live).toMatch(/\n\[pantheon: stdout passed 1 KiB: cutting its middle; its last 1 KiB follow\]\n$/);
    // The end: a marker with the amount cut, then whole lines up to the crash.
    expect(tail).toMatch(/^\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of stdout cut\]\nline \d+\n/);
    expect(tail.endsWith("line 300000\nTraceback (most recent call last):\nValueError: boom\n")).toBe(true);
    expect(cap.text).toBe(live + tail);
    // Nothing is lost from the count: kept lines + cut lines = every line.
    const cutLines = Number(/\(([\d,]+) lines\)/.exec(tail)![1]!.replace(/,/g, ""));
    const keptLines = cap.text.split("\n").filter((l) => /^line \d+$/.test(l) || l.startsWith("Traceback") || l.startsWith("ValueError")).length;
    expect(keptLines + cutLines).toBe(300_002);
    expect(Buffer.byteLength(cap.text)).toBeLessThan(2 * 1024 + 300);
  });

  it("never emits a line cut in the middle when lines are short", () => {
    const cap = new StreamCap("stdout", { headBytes: 5000, tailBytes: 5000 });
    const all = feed(cap, lines(1, 50_000), 777).concat(cap.end()).join("");
    for (const line of all.split("\n").filter(Boolean)) expect(line).toMatch(/^(line \d+|\[pantheon: .*\])$/);
  });

  it("ends the head at a line end when a program writes a line's text and its end separately (Python's stderr)", () => {
    const cap = new StreamCap("stderr", { headBytes: 4000, tailBytes: 2000 });
    let all = "";
    for (let i = 0; i < 1000; i++) all += cap.write(Buffer.from(`err line ${i} ${"x".repeat(40)}`)) + cap.write(Buffer.from("\n"));
    all += cap.end();
    for (const line of all.split("\n").filter(Boolean)) expect(line).toMatch(/^(err line \d+ x{40}|\[pantheon: .*\])$/);
    expect(all).toMatch(/^err line 0 /);
    expect(all.endsWith(`err line 999 ${"x".repeat(40)}\n`)).toBe(true);
  });

  it("a line held near the head's end comes out when the stream ends", () => {
    const cap = new StreamCap("stdout", { headBytes: 100, tailBytes: 100 });
    const first = `${"x".repeat(80)}\n`;
    expect(cap.write(Buffer.from(first))).toBe(first);
    // 14 bytes with 19 left: near the end, held until its line ends...
    expect(cap.write(Buffer.from("Enter a name: "))).toBe("");
    // ...or the stream ends.
    expect(cap.end()).toBe("Enter a name: ");
    expect(cap.text).toBe(`${first}Enter a name: `);
  });

  it("never splits a multi-byte character, at the head cut or the tail's start", () => {
    const cap = new StreamCap("stderr", { headBytes: 1001, tailBytes: 1001 });
    // One long line of 3-byte characters: no line end near either cut.
    const text = "€".repeat(10_000);
    const all = feed(cap, text, 997).concat(cap.end()).join("");
    expect(all).not.toContain("\ufffd");
    const [head, , , tail] = all.split("\n");
    expect(head).toMatch(/^€+$/);
    expect(tail).toMatch(/^€+$/);
    expect(Buffer.byteLength(head!)).toBeLessThanOrEqual(1001);
  });

  it("joins a character split across two chunks", () => {
    const cap = new StreamCap("stdout", { headBytes: 100, tailBytes: 100 });
    const euro = Buffer.from("€");
    expect(cap.write(euro.subarray(0, 1))).toBe("");
    expect(cap.write(euro.subarray(1))).toBe("€");
  });

  it("release() emits the held lines so a combined view keeps their order, within its budget", () => {
    const cap = new StreamCap("stdout", { headBytes: 10, tailBytes: 20 });
    expect(cap.write(Buffer.from("0123456789"))).toBe("0123456789");
    expect(cap.write(Buffer.from("abc\n"))).toBe(""); // held, nothing cut yet
    expect(cap.release()).toBe("abc\n"); // contiguous: no marker
    expect(cap.write(Buffer.from("x".repeat(30) + "\nlast\n"))).toMatch(/^\[pantheon: stdout passed/);
    // 6 bytes of early budget are left (20 - 4): the release keeps the end of what is held.
    expect(cap.release()).toBe("[pantheon: 31 bytes (1 line) of stdout cut]\nlast\n");
    // The early budget is spent: what follows is held until the end, with its full tail.
    cap.write(Buffer.from("more\n"));
    expect(cap.release()).toBe("");
    expect(cap.end()).toBe("more\n");
    expect(cap.truncated).toBe(true);
  });

  it("alternating writes cannot bypass the cap: kept output stays bounded", () => {
    const cap = new StreamCap("stdout", { headBytes: 1000, tailBytes: 1000 });
    for (let i = 0; i < 100_000; i++) {
      cap.write(Buffer.from(`line ${i}\n`));
      cap.release();
    }
    cap.end();
    expect(Buffer.byteLength(cap.text)).toBeLessThan(3000 + 400);
    expect(cap.text.endsWith("line 99999\n")).toBe(true);
  });

  it("a flood costs no memory past the caps (only the tail is held)", () => {
    const cap = new StreamCap("stdout", { headBytes: 64, tailBytes: 64 });
    for (let i = 0; i < 2000; i++) cap.write(Buffer.alloc(65536, 120));
    expect((cap as unknown as { ringBytes: number }).ringBytes).toBeLessThanOrEqual(64);
    expect(cap.end()).toMatch(/^\[pantheon: 125 MiB \(0 lines\) of stdout cut\]\nx{64}$/);
  });

  it("starts its marker on a fresh line after a partial one", () => {
    const cap = new StreamCap("stdout", { headBytes: 8, tailBytes: 8 });
    const live = feed(cap, "abcdefghijklmnopqrstuvwxyz0123456789", 36).join("");
    expect(live).toBe("abcdefgh\n[pantheon: stdout passed 8 bytes: cutting its middle; its last 8 bytes follow]\n");
    expect(cap.end()).toBe("[pantheon: 20 bytes (0 lines) of stdout cut]\n23456789");
  });
});

describe("cut helpers", () => {
  it("charBoundary backs off continuation bytes", () => {
    expect(charBoundary(Buffer.from("a€b"), 2)).toBe(1);
    expect(charBoundary(Buffer.from("abc"), 2)).toBe(2);
  });

  it("tailStart skips a partial first line, or continuation bytes", () => {
    expect(tailStart(Buffer.from("rtial\nnext\n"))).toBe(6);
    expect(tailStart(Buffer.from("€x").subarray(1))).toBe(2);
  });

  it("splits a budget into head and tail and formats sizes", () => {
    expect(splitStreamBudget(1024 * 1024)).toEqual({ headBytes: 512 * 1024, tailBytes: 256 * 1024 });
    expect([formatBytes(10), formatBytes(1536), formatBytes(10 * 1024 * 1024)]).toEqual(["10 bytes", "1.5 KiB", "10 MiB"]);
  });
});

/** The stored bytes with the cap's own lines taken out, and those lines. */
function split(cap: StreamCap): { program: Buffer; inserted: string[] } {
  const stored = escapedToBytes(cap.text);
  const t = cap.truncation!;
  const pieces: Buffer[] = [];
  let at = 0;
  for (const r of t.inserted) {
    pieces.push(stored.subarray(at, r.offset));
    at = r.offset + r.length;
  }
  pieces.push(stored.subarray(at));
  return { program: Buffer.concat(pieces), inserted: t.inserted.map((r) => stored.subarray(r.offset, r.offset + r.length).toString()) };
}

describe("StreamCap.truncation (machine-readable)", () => {
  it("is null when nothing was cut", () => {
    const cap = new StreamCap("stdout", { headBytes: 100, tailBytes: 100 });
    cap.write(Buffer.from("a\n"));
    cap.end();
    expect(cap.truncation).toBeNull();
  });

  it("says exactly what was kept and cut: head + tail + dropped = every byte, and where the cap's lines are", () => {
    const cap = new StreamCap("stdout", { headBytes: 1024, tailBytes: 1024 });
    const input = Buffer.from(lines(1, 300_000) + "Traceback (most recent call last):\nValueError: boom\n");
    feed(cap, input, 4096);
    cap.end();
    const t = cap.truncation!;
    expect(t.keptHeadBytes + t.keptTailBytes + t.droppedBytes).toBe(input.length);
    const { program, inserted } = split(cap);
    expect(inserted).toEqual([
      "[pantheon: stdout passed 1 KiB: cutting its middle; its last 1 KiB follow]\n",
      expect.stringMatching(/^\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of stdout cut\]\n$/),
    ]);
    // Without the cap's lines: the input's first keptHeadBytes, then its last keptTailBytes.
    expect(program.equals(Buffer.concat([input.subarray(0, t.keptHeadBytes), input.subarray(input.length - t.keptTailBytes)]))).toBe(true);
    const inputLines = input.toString().split("\n").length - 1;
    expect(program.toString().split("\n").length - 1 + t.droppedLines).toBe(inputLines);
  });

  it("a line that forges a marker is told apart: only the cap's own lines are in `inserted`", () => {
    const cap = new StreamCap("stdout", { headBytes: 64, tailBytes: 64 });
    const forged = "[pantheon: 1 MiB (9 lines) of stdout cut]\n";
    const input = Buffer.from(forged + "x".repeat(1000) + "\n" + forged);
    feed(cap, input, 7);
    cap.end();
    const { program, inserted } = split(cap);
    expect(inserted).toHaveLength(2);
    expect(inserted[1]).toMatch(/^\[pantheon: \d+ bytes \(1 line\) of stdout cut\]\n$/);
    expect(program.toString()).toMatch(/^\[pantheon: 1 MiB \(9 lines\) of stdout cut\]\n/);
    expect(program.toString().endsWith(forged)).toBe(true);
  });

  it("offsets are in exact bytes when the output holds invalid UTF-8 and multi-byte characters", () => {
    const cap = new StreamCap("stderr", { headBytes: 1001, tailBytes: 1001 });
    const input = Buffer.concat(
      Array.from({ length: 2000 }, (_, i) => Buffer.concat([Buffer.from(`€ ${i} `), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from("\n")])),
    );
    feed(cap, input, 333);
    cap.end();
    const t = cap.truncation!;
    const { program } = split(cap);
    expect(t.keptHeadBytes + t.keptTailBytes + t.droppedBytes).toBe(input.length);
    expect(program.equals(Buffer.concat([input.subarray(0, t.keptHeadBytes), input.subarray(input.length - t.keptTailBytes)]))).toBe(true);
    // Cut at line ends on both sides.
    expect(input[t.keptHeadBytes - 1]).toBe(0x0a);
    expect(input[input.length - t.keptTailBytes - 1]).toBe(0x0a);
  });

  it("a character arriving a byte at a time across the head's end is kept whole (fast-check counterexample, seed 792520853)", () => {
    const cap = new StreamCap("stdout", { headBytes: 18, tailBytes: 18 });
    const input = Buffer.from(["\uFFFD", "€", "𝄞", "a", "€", "a", "𝄞", "a".repeat(200)].join(""));
    feed(cap, input, 1);
    cap.end();
    expect(isExactText(cap.text)).toBe(true);
    expect(cap.text.startsWith("\uFFFD€𝄞a€a𝄞")).toBe(true);
  });

  it("never splits a UTF-8 character, for any chunking and any cut (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "é", "€", "𝄞", "\n", "\uFFFD"), { minLength: 200, maxLength: 3000 }),
        fc.integer({ min: 1, max: 97 }),
        fc.integer({ min: 16, max: 400 }),
        (chars, size, budget) => {
          const cap = new StreamCap("stdout", { headBytes: budget, tailBytes: budget });
          const input = Buffer.from(chars.join(""));
          feed(cap, input, size);
          cap.end();
          // Every kept byte decodes as text: no escaped (split) character anywhere.
          expect(isExactText(cap.text)).toBe(true);
          const t = cap.truncation;
          if (!t) {
            expect(escapedToBytes(cap.text).equals(input)).toBe(true);
            return;
          }
          expect(t.keptHeadBytes + t.keptTailBytes + t.droppedBytes).toBe(input.length);
          expect(split(cap).program.equals(Buffer.concat([input.subarray(0, t.keptHeadBytes), input.subarray(input.length - t.keptTailBytes)]))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("10 MB on one stream (the production budget of 1 MiB): head + tail ≤ 768 KiB, the rest counted, memory bounded by the tail", { timeout: 60_000 }, () => {
    const limits = splitStreamBudget(1024 * 1024);
    const cap = new StreamCap("stdout", limits);
    const line = (i: number) => `line ${String(i).padStart(7, "0")} ${"x".repeat(86)}\n`; // 100 bytes
    let total = 0;
    for (let i = 0; i < 100_000; i++) {
      const chunk = Buffer.from(line(i));
      total += chunk.length;
      cap.write(chunk);
      if (i % 1000 === 0) expect((cap as unknown as { ringBytes: number }).ringBytes).toBeLessThanOrEqual(limits.tailBytes);
    }
    cap.write(Buffer.from("Traceback (most recent call last):\nValueError: boom\n"));
    total += 52;
    cap.end();
    const t = cap.truncation!;
    expect(total).toBe(10_000_052);
    expect(t.keptHeadBytes).toBe(limits.headBytes - (limits.headBytes % 100));
    expect(t.keptTailBytes).toBeLessThanOrEqual(limits.tailBytes);
    expect(t.keptHeadBytes + t.keptTailBytes + t.droppedBytes).toBe(total);
    expect(t.droppedLines).toBe(100_000 - (t.keptHeadBytes + t.keptTailBytes - 52) / 100);
    expect(cap.text.startsWith(line(0))).toBe(true);
    expect(cap.text.endsWith(`${line(99_999)}Traceback (most recent call last):\nValueError: boom\n`)).toBe(true);
  });
});

describe("charBoundary at a buffer's end", () => {
  it("does not keep a character whose end has not arrived", () => {
    const e = Buffer.from("aé");
    expect(charBoundary(e.subarray(0, 2), 2)).toBe(1);
    expect(charBoundary(Buffer.from("a𝄞").subarray(0, 4), 4)).toBe(1);
    expect(charBoundary(Buffer.from("a𝄞"), 5)).toBe(5);
  });

  it("a character split across writes right at the head's end stays whole (byte-by-byte writes)", () => {
    const cap = new StreamCap("stdout", { headBytes: 18, tailBytes: 18 });
    const input = Buffer.from(`a𝄞aaaaaéaéééa${"a".repeat(190)}`);
    feed(cap, input, 1);
    cap.end();
    expect(isExactText(cap.text)).toBe(true);
    expect(cap.text.startsWith("a𝄞aaaaaéaéé\n[pantheon: stdout passed")).toBe(true);
  });
});

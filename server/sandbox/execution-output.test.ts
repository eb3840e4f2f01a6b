import { describe, expect, it } from "vitest";
import { FrameDemuxer } from "./docker-stream";
import { ExecutionOutput } from "./execution-output";

describe("ExecutionOutput", () => {
  it("numbers interleaved stdout/stderr events in arrival order", () => {
    const out = new ExecutionOutput(1024);
    const events = [out.append("stdout", Buffer.from("a")), out.append("stderr", Buffer.from("b")), out.append("stdout", Buffer.from("c"))].flat();
    expect(events).toEqual([
      { seq: 1, type: "stdout", data: "a" },
      { seq: 2, type: "stderr", data: "b" },
      { seq: 3, type: "stdout", data: "c" },
    ]);
    expect(out.stdout).toBe("ac");
    expect(out.stderr).toBe("b");
    expect(out.nextSeq()).toBe(4);
  });

  it("never splits a multi-byte character across events", () => {
    const out = new ExecutionOutput(1024);
    const euro = Buffer.from("€");
    expect(out.append("stdout", euro.subarray(0, 1))).toEqual([]);
    expect(out.append("stdout", euro.subarray(1))).toEqual([{ seq: 1, type: "stdout", data: "€" }]);
  });

  it("caps each stream on its own: a stdout flood leaves stderr's crash whole, after stdout's last lines", () => {
    const out = new ExecutionOutput(4096);
    const events = [];
    for (let i = 0; i < 100_000; i++) events.push(...out.append("stdout", Buffer.from(`line ${i}\n`)));
    events.push(...out.append("stderr", Buffer.from("Traceback (most recent call last):\nValueError: boom\n")));
    events.push(...out.flush());
    expect(out.truncated).toBe(true);
    expect(out.stderr).toBe("Traceback (most recent call last):\nValueError: boom\n");
    expect(out.stdout).toMatch(/^line 0\n/);
    expect(out.stdout).toMatch(/\[pantheon: [\d.]+ (KiB|MiB) \([\d,]+ lines\) of stdout cut\]\n/);
    expect(out.stdout.endsWith("line 99999\n")).toBe(true);
    // Live order: stdout's last lines come out before the traceback that followed them.
    const combined = events.map((e) => e.data).join("");
    expect(combined.endsWith("line 99999\nTraceback (most recent call last):\nValueError: boom\n")).toBe(true);
    // What streamed is what is stored.
    expect(
      events
        .filter((e) => e.type === "stdout")
        .map((e) => e.data)
        .join(""),
    ).toBe(out.stdout);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(Buffer.byteLength(out.stdout)).toBeLessThan(4096 + 300);
  });
});

describe("FrameDemuxer", () => {
  const frame = (type: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it("splits frames that arrive in arbitrary chunks, keeping order", () => {
    const all = Buffer.concat([frame(1, "out1"), frame(2, "err1"), frame(1, "out2")]);
    const demux = new FrameDemuxer();
    const got: string[] = [];
    for (let i = 0; i < all.length; i += 3) for (const f of demux.push(all.subarray(i, i + 3))) got.push(`${f.stream}:${f.data.toString()}`);
    expect(got).toEqual(["stdout:out1", "stderr:err1", "stdout:out2"]);
    expect(demux.pendingBytes).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { FrameDemuxer } from "./docker-stream";
import { ExecutionOutput } from "./execution-output";

describe("ExecutionOutput", () => {
  it("numbers interleaved stdout/stderr events in arrival order", () => {
    const out = new ExecutionOutput(1024);
    const events = [out.append("stdout", Buffer.from("a")), out.append("stderr", Buffer.from("b")), out.append("stdout", Buffer.from("c"))];
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
    expect(out.append("stdout", euro.subarray(0, 1))).toBeNull();
    expect(out.append("stdout", euro.subarray(1))).toEqual({ seq: 1, type: "stdout", data: "€" });
  });

  it("caps stored output, sets truncated and drops the rest without buffering it", () => {
    const out = new ExecutionOutput(10);
    out.append("stdout", Buffer.from("123456"));
    const cut = out.append("stderr", Buffer.from("abcdefgh"));
    expect(cut).toEqual({ seq: 2, type: "stderr", data: "abcd" });
    expect(out.truncated).toBe(true);
    for (let i = 0; i < 1000; i++) expect(out.append("stdout", Buffer.alloc(65536, 120))).toBeNull();
    expect(out.stdout.length + out.stderr.length).toBe(10);
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

import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { encodeFrame, KIND, MAX_PAYLOAD, type TunnelChannel, TunnelMux } from "./tunnel-mux";

interface Frame {
  channel: number;
  kind: number;
  payload: Buffer;
}

function decode(buf: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let pos = 0; pos + 9 <= buf.length;) {
    const length = buf.readUInt32BE(pos + 5);
    frames.push({ channel: buf.readUInt32BE(pos), kind: buf.readUInt8(pos + 4), payload: buf.subarray(pos + 9, pos + 9 + length) });
    pos += 9 + length;
  }
  return frames;
}

function setup() {
  const fromContainer = new PassThrough();
  const toContainer = new PassThrough();
  const written: Buffer[] = [];
  toContainer.on("data", (b: Buffer) => written.push(b));
  const mux = new TunnelMux(fromContainer, toContainer);
  const channels: TunnelChannel[] = [];
  mux.on("channel", (ch) => channels.push(ch));
  const sent = () => decode(Buffer.concat(written));
  return { fromContainer, mux, channels, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("TunnelMux", () => {
  it("resolves ready on READY and opens a channel per OPEN", async () => {
    const { fromContainer, mux, channels } = setup();
    fromContainer.write(encodeFrame(0, KIND.READY));
    await mux.ready;
    fromContainer.write(Buffer.concat([encodeFrame(1, KIND.OPEN), encodeFrame(2, KIND.OPEN)]));
    await tick();
    expect(channels.map((c) => c.id)).toEqual([1, 2]);
  });

  it("delivers data and EOF per channel, split across arbitrary chunk boundaries", async () => {
    const { fromContainer, channels } = setup();
    const stream = Buffer.concat([
      encodeFrame(1, KIND.OPEN),
      encodeFrame(1, KIND.DATA, Buffer.from("hello ")),
      encodeFrame(2, KIND.OPEN),
      encodeFrame(2, KIND.DATA, Buffer.from("other")),
      encodeFrame(1, KIND.DATA, Buffer.from("world")),
      encodeFrame(1, KIND.EOF),
      encodeFrame(2, KIND.EOF),
    ]);
    for (let i = 0; i < stream.length; i += 5) fromContainer.write(stream.subarray(i, i + 5));
    await tick();
    const read = (ch: TunnelChannel) =>
      new Promise<string>((resolve) => {
        let s = "";
        ch.on("data", (d: Buffer) => (s += d.toString()));
        ch.on("end", () => resolve(s));
      });
    expect(await read(channels[0]!)).toBe("hello world");
    expect(await read(channels[1]!)).toBe("other");
  });

  it("frames writes in at most MAX_PAYLOAD bytes, then EOF on end() and CLOSE on destroy()", async () => {
    const { fromContainer, channels, sent } = setup();
    fromContainer.write(encodeFrame(7, KIND.OPEN));
    await tick();
    const ch = channels[0]!;
    ch.write(Buffer.alloc(MAX_PAYLOAD * 2 + 10, 1));
    ch.end();
    await tick();
    ch.destroy();
    await tick();
    const frames = sent();
    expect(frames.map((f) => [f.channel, f.kind, f.payload.length])).toEqual([
      [7, KIND.DATA, MAX_PAYLOAD],
      [7, KIND.DATA, MAX_PAYLOAD],
      [7, KIND.DATA, 10],
      [7, KIND.EOF, 0],
      [7, KIND.CLOSE, 0],
    ]);
  });

  it("a CLOSE from the container destroys the channel without echoing CLOSE back", async () => {
    const { fromContainer, mux, channels, sent } = setup();
    fromContainer.write(Buffer.concat([encodeFrame(3, KIND.OPEN), encodeFrame(3, KIND.CLOSE)]));
    await tick();
    expect(channels[0]!.destroyed).toBe(true);
    expect(mux.channelCount).toBe(0);
    expect(sent()).toEqual([]);
    // Late frames for a gone channel are ignored, not fatal.
    fromContainer.write(encodeFrame(3, KIND.DATA, Buffer.from("late")));
    await tick();
    expect(mux.listenerCount("close")).toBe(0);
  });

  it("stops reading the tunnel while a channel's reader is full, and resumes when it drains", async () => {
    const { fromContainer, channels } = setup();
    fromContainer.write(encodeFrame(1, KIND.OPEN));
    await tick();
    const ch = channels[0]!;
    for (let i = 0; i < 8; i++) fromContainer.write(encodeFrame(1, KIND.DATA, Buffer.alloc(MAX_PAYLOAD)));
    await tick();
    expect(fromContainer.isPaused()).toBe(true);
    let total = 0;
    ch.on("data", (d: Buffer) => (total += d.length));
    for (let i = 0; i < 20 && total < 8 * MAX_PAYLOAD; i++) await tick();
    expect(total).toBe(8 * MAX_PAYLOAD);
    expect(fromContainer.isPaused()).toBe(false);
  });

  it.each([
    ["a frame above MAX_PAYLOAD", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0x40, 1])],
    ["an empty DATA frame", encodeFrame(1, KIND.DATA)],
    ["EOF with a payload", encodeFrame(1, KIND.EOF, Buffer.from("x"))],
    ["an unknown kind", encodeFrame(1, 9)],
    ["READY on a channel", encodeFrame(5, KIND.READY)],
  ])("ends the whole tunnel on %s", async (_name, bad) => {
    const { fromContainer, mux, channels } = setup();
    const closed = new Promise<Error | null>((resolve) => mux.on("close", resolve));
    fromContainer.write(encodeFrame(1, KIND.OPEN));
    await tick();
    fromContainer.write(bad);
    const err = await closed;
    expect(err?.message).toMatch(/tunnel protocol error/);
    expect(channels[0]!.destroyed).toBe(true);
    await expect(mux.ready).rejects.toThrow();
  });

  it("refuses a reused channel number", async () => {
    const { fromContainer, mux } = setup();
    const closed = new Promise<Error | null>((resolve) => mux.on("close", resolve));
    fromContainer.write(Buffer.concat([encodeFrame(4, KIND.OPEN), encodeFrame(4, KIND.OPEN)]));
    expect((await closed)?.message).toContain("reused");
  });

  it("caps the number of open channels, closing the extra ones", async () => {
    const fromContainer = new PassThrough();
    const toContainer = new PassThrough();
    const written: Buffer[] = [];
    toContainer.on("data", (b: Buffer) => written.push(b));
    const mux = new TunnelMux(fromContainer, toContainer, { maxChannels: 2 });
    const opened: number[] = [];
    mux.on("channel", (ch) => opened.push(ch.id));
    fromContainer.write(Buffer.concat([1, 2, 3].map((c) => encodeFrame(c, KIND.OPEN))));
    await tick();
    expect(opened).toEqual([1, 2]);
    expect(decode(Buffer.concat(written))).toEqual([{ channel: 3, kind: KIND.CLOSE, payload: Buffer.alloc(0) }]);
  });

  it("when the tunnel ends, every channel is destroyed and ready rejects", async () => {
    const { fromContainer, mux, channels } = setup();
    fromContainer.write(encodeFrame(1, KIND.OPEN));
    await tick();
    fromContainer.end();
    await new Promise((resolve) => mux.on("close", resolve));
    expect(channels[0]!.destroyed).toBe(true);
    await expect(mux.ready).rejects.toThrow("the tunnel ended");
  });
});

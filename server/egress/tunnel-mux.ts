// App side of `pantheon-tunnel listen`: demultiplexes the frames on the tunnel's stdout into one
// Duplex per connection accepted in the container, and frames what the app writes back onto its
// stdin. Protocol (sandbox-images/common/pantheon-tunnel.c): [u32 channel][u8 kind][u32 length]
// [payload], big-endian. The container is untrusted: a malformed frame ends the whole tunnel.
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { SocketLikeDuplex } from "./socket-like-duplex";

export const FRAME_HEADER = 9;
export const MAX_PAYLOAD = 16384;
export const KIND = { DATA: 0, OPEN: 1, EOF: 2, CLOSE: 3, READY: 4 } as const;

export function encodeFrame(channel: number, kind: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32BE(channel, 0);
  frame.writeUInt8(kind, 4);
  frame.writeUInt32BE(payload.length, 5);
  payload.copy(frame, FRAME_HEADER);
  return frame;
}

/** One connection accepted inside the container. */
export class TunnelChannel extends SocketLikeDuplex {
  /** The container sent CLOSE (or the tunnel ended): nothing must be sent for this channel any more. */
  remoteClosed = false;
  private wantMore: (() => void) | null = null;

  constructor(
    readonly id: number,
    private readonly mux: TunnelMux,
  ) {
    super({ allowHalfOpen: true });
  }

  /** Data from the container; false = our reader is full, the mux stops reading the tunnel. */
  deliver(payload: Buffer, resume: () => void): boolean {
    if (this.push(payload) || this.wantMore) return true; // already counted as pausing the tunnel
    this.wantMore = resume;
    return false;
  }

  override _read(): void {
    const resume = this.wantMore;
    this.wantMore = null;
    resume?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.remoteClosed) return callback(new Error("the connection was closed in the container"));
    this.mux.sendData(this.id, chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.remoteClosed) this.mux.send(this.id, KIND.EOF);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.remoteClosed) this.mux.send(this.id, KIND.CLOSE);
    this.remoteClosed = true;
    this.mux.forget(this.id);
    const resume = this.wantMore;
    this.wantMore = null;
    resume?.();
    callback(error);
  }
}

export interface TunnelMuxEvents {
  channel: [TunnelChannel];
  /** The tunnel is unusable (its stream ended, or it broke the protocol). */
  close: [Error | null];
}

/**
 * Emits "channel" for each connection the container accepts; `ready` resolves when the listener
 * is bound. `close()` ends the tunnel (stdin EOF makes pantheon-tunnel exit).
 */
export class TunnelMux extends EventEmitter<TunnelMuxEvents> {
  readonly ready: Promise<void>;
  private readonly channels = new Map<number, TunnelChannel>();
  private pending: Buffer = Buffer.alloc(0);
  private lastChannel = 0;
  private closed = false;
  private paused = 0;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly opts: { maxChannels?: number } = {},
  ) {
    super();
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    input.on("data", (chunk: Buffer) => this.onData(chunk));
    input.on("end", () => this.close(new Error("the tunnel ended")));
    input.on("error", (err) => this.close(err));
    output.on("error", (err) => this.close(err));
  }

  get channelCount(): number {
    return this.channels.size;
  }

  send(channel: number, kind: number, payload?: Buffer, callback?: (error?: Error | null) => void): void {
    if (this.closed) {
      callback?.(new Error("the tunnel is closed"));
      return;
    }
    const ok = this.output.write(encodeFrame(channel, kind, payload));
    if (!callback) return;
    if (ok) callback();
    else this.output.once("drain", () => callback());
  }

  /** Splits into frames of at most MAX_PAYLOAD; calls back once the tunnel's stdin takes more. */
  sendData(channel: number, chunk: Buffer, callback: (error?: Error | null) => void): void {
    for (let off = 0; off < chunk.length; off += MAX_PAYLOAD) {
      const last = off + MAX_PAYLOAD >= chunk.length;
      this.send(channel, KIND.DATA, chunk.subarray(off, off + MAX_PAYLOAD), last ? callback : undefined);
    }
    if (chunk.length === 0) callback();
  }

  forget(channel: number): void {
    this.channels.delete(channel);
  }

  close(reason: Error | null = null): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectReady(reason ?? new Error("the tunnel closed before it was ready"));
    for (const ch of this.channels.values()) {
      ch.remoteClosed = true;
      ch.destroy();
    }
    this.channels.clear();
    this.output.end();
    this.input.resume();
    this.emit("close", reason);
  }

  private fail(message: string): void {
    this.close(new Error(`tunnel protocol error: ${message}`));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    while (!this.closed && this.pending.length - pos >= FRAME_HEADER) {
      const channel = this.pending.readUInt32BE(pos);
      const kind = this.pending.readUInt8(pos + 4);
      const length = this.pending.readUInt32BE(pos + 5);
      if (length > MAX_PAYLOAD) return this.fail(`frame of ${length} bytes`);
      if ((kind === KIND.DATA) !== length > 0) return this.fail(`kind ${kind} with ${length} bytes`);
      if (this.pending.length - pos < FRAME_HEADER + length) break;
      const payload = this.pending.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + length);
      pos += FRAME_HEADER + length;
      this.onFrame(channel, kind, payload);
    }
    this.pending = this.pending.subarray(pos);
  }

  private onFrame(channel: number, kind: number, payload: Buffer): void {
    if (kind === KIND.READY) {
      if (channel !== 0) return this.fail("READY on a channel");
      this.resolveReady();
      return;
    }
    if (kind === KIND.OPEN) {
      if (channel <= this.lastChannel) return this.fail(`channel ${channel} reused`);
      this.lastChannel = channel;
      if (this.channels.size >= (this.opts.maxChannels ?? 256)) {
        this.send(channel, KIND.CLOSE);
        return;
      }
      const ch = new TunnelChannel(channel, this);
      this.channels.set(channel, ch);
      this.emit("channel", ch);
      return;
    }
    if (kind > KIND.READY) return this.fail(`unknown kind ${kind}`);
    const ch = this.channels.get(channel);
    if (!ch) return; // closed on our side already: late frames are expected
    if (kind === KIND.DATA) {
      if (!ch.deliver(Buffer.from(payload), () => this.resume())) this.pause();
    } else if (kind === KIND.EOF) {
      ch.push(null);
    } else {
      ch.remoteClosed = true;
      this.channels.delete(channel);
      ch.destroy();
    }
  }

  // One full reader pauses the whole tunnel (bounded memory; the container buffers behind it).
  private pause(): void {
    if (this.paused++ === 0) this.input.pause();
  }

  private resume(): void {
    if (this.paused > 0 && --this.paused === 0 && !this.closed) this.input.resume();
  }
}

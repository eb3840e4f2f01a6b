// Docker multiplexes a non-TTY exec's stdout and stderr on one connection as frames:
// [stream type (1 stdout, 2 stderr), 0, 0, 0, payload length (uint32 BE)] + payload.
// Parsing frames ourselves keeps stdout and stderr chunks in the order they were written.

export type StdStream = "stdout" | "stderr";

export class FrameDemuxer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StdStream; data: Buffer }[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: { stream: StdStream; data: Buffer }[] = [];
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const type = this.buffer[0];
      const data = this.buffer.subarray(8, 8 + size);
      this.buffer = this.buffer.subarray(8 + size);
      // type 0 (stdin echo) is never sent for non-TTY execs; treat anything not stderr as stdout.
      if (size > 0) frames.push({ stream: type === 2 ? "stderr" : "stdout", data });
    }
    return frames;
  }

  get pendingBytes(): number {
    return this.buffer.length;
  }
}

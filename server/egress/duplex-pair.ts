// Two connected in-memory ends, for unit tests of the proxy: one plays the container's
// connection (or the upstream's), the other the test. No socket, no packet.
import { Duplex } from "node:stream";

/** A Duplex that answers the socket methods http.Server and http.ClientRequest call. */
export class MemoryEnd extends Duplex {
  peer: MemoryEnd | null = null;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.peer?.push(chunk);
    cb();
  }
  override _final(cb: (error?: Error | null) => void): void {
    this.peer?.push(null);
    cb();
  }
  override _destroy(error: Error | null, cb: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    if (peer && !peer.destroyed) {
      peer.push(null);
      peer.destroy();
    }
    cb(error);
  }
  setTimeout(_ms: number, _cb?: () => void): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}

export function duplexPair(): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd({ allowHalfOpen: true });
  const b = new MemoryEnd({ allowHalfOpen: true });
  a.peer = b;
  b.peer = a;
  return [a, b];
}

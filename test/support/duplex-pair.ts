// Two connected in-memory ends, for unit tests of the proxy: one plays the container's
// connection (or the upstream's), the other the test. No socket, no packet.
import { SocketLikeDuplex } from "./socket-like-duplex";

/** One in-memory end of a pair, usable as an http socket. */
export class MemoryEnd extends SocketLikeDuplex {
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
}

export function duplexPair(): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd({ allowHalfOpen: true });
  const b = new MemoryEnd({ allowHalfOpen: true });
  a.peer = b;
  b.peer = a;
  return [a, b];
}

import { Duplex, type Readable, type Writable } from "node:stream";

/**
 * The agent's stdin (our writes) and stdout (its answers) as one Duplex, the "socket" that
 * node:http2 runs its client session over. Backpressure is passed through both ways: when the
 * session stops reading, stdout is paused, so the attached exec's socket is paused too and the
 * agent's writes block in the container, not in our memory.
 */
export class StdioDuplex extends Duplex {
  private readonly onData = (chunk: Buffer) => {
    if (!this.push(chunk)) this.output.pause();
  };
  private readonly onEnd = () => this.push(null);
  private readonly onError = (err: Error) => this.destroy(err);

  constructor(
    private readonly input: Writable,
    private readonly output: Readable,
  ) {
    // The session half-closes on its own terms (GOAWAY); a half-open socket is not a dead one.
    super({ allowHalfOpen: true });
    output.on("data", this.onData);
    output.once("end", this.onEnd);
    output.once("error", this.onError);
    input.on("error", this.onError);
    output.pause();
  }

  override _read(): void {
    this.output.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.input.destroyed || this.input.writableEnded) return callback(new Error("agent stdin is closed"));
    // The callback fires when the chunk is handed to the exec's socket, so the session's writes
    // wait while the agent does not read its stdin.
    this.input.write(chunk, (err) => callback(err ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.input.destroyed && !this.input.writableEnded) this.input.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.output.off("data", this.onData);
    this.output.off("end", this.onEnd);
    this.output.off("error", this.onError);
    this.input.off("error", this.onError);
    callback(error);
  }

  // node:http2 calls these on its socket; a pipe has no TCP options to apply.
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

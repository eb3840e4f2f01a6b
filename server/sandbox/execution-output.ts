import type { OutputEvent, OutputTruncation } from "./execution-types";
import { splitStreamBudget, StreamCap } from "./output-cap";

type Stream = "stdout" | "stderr";

/**
 * Turns raw stdout/stderr chunks into ordered events, each stream capped on its own to
 * `maxBytesPerStream` by keeping its head and its tail (output-cap.ts): a crash after a flood
 * keeps its traceback. Past the head only the tail is held, so a flood costs CPU, not memory.
 */
export class ExecutionOutput {
  private readonly caps: Record<Stream, StreamCap>;
  private seq = 0;

  constructor(maxBytesPerStream: number) {
    const limits = splitStreamBudget(maxBytesPerStream);
    this.caps = { stdout: new StreamCap("stdout", limits), stderr: new StreamCap("stderr", limits) };
  }

  /** Returns the events to publish now (none, or the other stream's held lines and then this chunk's). */
  append(stream: Stream, chunk: Buffer): OutputEvent[] {
    const other = stream === "stdout" ? "stderr" : "stdout";
    return [this.event(other, this.caps[other].release()), this.event(stream, this.caps[stream].write(chunk))].filter((e) => e !== null);
  }

  /** The end of both streams: their held tails (stdout first, so stderr's crash reads last) and incomplete characters. */
  flush(): OutputEvent[] {
    return [this.event("stdout", this.caps.stdout.end()), this.event("stderr", this.caps.stderr.end())].filter((e) => e !== null);
  }

  private event(type: Stream, data: string): OutputEvent | null {
    return data ? { seq: ++this.seq, type, data } : null;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  get truncated(): boolean {
    return this.caps.stdout.truncated || this.caps.stderr.truncated;
  }

  /** Per stream, what was cut and where the cap's lines sit (null when nothing was cut). */
  get truncation(): OutputTruncation | null {
    const stdout = this.caps.stdout.truncation;
    const stderr = this.caps.stderr.truncation;
    return stdout || stderr ? { stdout, stderr } : null;
  }

  get stdout(): string {
    return this.caps.stdout.text;
  }

  get stderr(): string {
    return this.caps.stderr.text;
  }
}

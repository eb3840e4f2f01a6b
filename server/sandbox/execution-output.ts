import { StringDecoder } from "node:string_decoder";
import type { OutputEvent } from "./execution-types";

/**
 * Turns raw stdout/stderr chunks into ordered events and keeps at most `maxBytes` of them.
 * Past the cap chunks are dropped (not buffered), so a flood costs CPU but not memory.
 */
export class ExecutionOutput {
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  private readonly parts = { stdout: [] as string[], stderr: [] as string[] };
  private bytes = 0;
  private seq = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  /** Returns the event to publish, or null when nothing (more) may be kept. */
  append(stream: "stdout" | "stderr", chunk: Buffer): OutputEvent | null {
    if (this.truncated) return null;
    let data = chunk;
    if (this.bytes + data.length > this.maxBytes) {
      data = data.subarray(0, this.maxBytes - this.bytes);
      this.truncated = true;
    }
    this.bytes += data.length;
    // The decoder holds back a split multi-byte character until its next chunk arrives.
    const text = this.decoders[stream].write(data);
    if (text === "") return null;
    this.parts[stream].push(text);
    return { seq: ++this.seq, type: stream, data: text };
  }

  /** Flushes incomplete characters (as U+FFFD) and returns the events that produced. */
  flush(): OutputEvent[] {
    const events: OutputEvent[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      const text = this.decoders[stream].end();
      if (text) {
        this.parts[stream].push(text);
        events.push({ seq: ++this.seq, type: stream, data: text });
      }
    }
    return events;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  get stdout(): string {
    return this.parts.stdout.join("");
  }

  get stderr(): string {
    return this.parts.stderr.join("");
  }
}

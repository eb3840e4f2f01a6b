import { ByteTextDecoder } from "@/server/sandbox/byte-text";

export type ProcessStatus = "running" | "exited" | "failed" | "stopped";

export type ProcessEvent =
  { seq: number; type: "stdout" | "stderr"; data: string } | { seq: number; type: "exit"; status: Exclude<ProcessStatus, "running">; exitCode: number | null };

type Listener = (event: ProcessEvent) => void;

/**
 * A background process's output: the last `capBytes` of it in memory, in order, with sequence
 * numbers, and live listeners. A dev server runs for hours, so old output is dropped from the
 * front (a subscriber resuming after a dropped event simply continues from what is kept).
 */
export class ProcessOutput {
  private readonly events: ProcessEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly decoders = { stdout: new ByteTextDecoder(), stderr: new ByteTextDecoder() };
  private bytes = 0;
  private seq = 0;
  private ended: Extract<ProcessEvent, { type: "exit" }> | null = null;

  constructor(private readonly capBytes = 64 * 1024) {}

  append(stream: "stdout" | "stderr", chunk: Buffer | string): void {
    if (this.ended) return;
    const data = typeof chunk === "string" ? chunk : this.decoders[stream].write(chunk);
    if (!data) return;
    this.emit({ seq: ++this.seq, type: stream, data: data.length > this.capBytes ? data.slice(-this.capBytes) : data });
    while (this.bytes > this.capBytes && this.events.length > 1) {
      const dropped = this.events.shift();
      if (dropped && dropped.type !== "exit") this.bytes -= dropped.data.length;
    }
  }

  /** Emits what the decoders hold back (a trailing partial character): the output is complete. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.decoders[stream].end();
      if (rest) this.append(stream, rest);
    }
  }

  end(status: Exclude<ProcessStatus, "running">, exitCode: number | null): void {
    if (this.ended) return;
    this.flush();
    this.ended = { seq: ++this.seq, type: "exit", status, exitCode };
    this.emit(this.ended);
  }

  private emit(event: ProcessEvent): void {
    this.events.push(event);
    if (event.type !== "exit") this.bytes += event.data.length;
    for (const listener of this.listeners) listener(event);
  }

  /** Registers the listener and returns what is kept, in one synchronous step: nothing falls between. */
  subscribe(listener: Listener): { backlog: ProcessEvent[]; unsubscribe: () => void } {
    this.listeners.add(listener);
    return { backlog: [...this.events], unsubscribe: () => this.listeners.delete(listener) };
  }

  /** stdout and stderr as they interleaved (what is kept), for the database row. */
  text(): string {
    return this.events.map((e) => (e.type === "exit" ? "" : e.data)).join("");
  }

  get finished(): boolean {
    return this.ended !== null;
  }
}

import type { TRPCClient } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { ansi } from "./xterm-theme";

type Outputs = inferRouterOutputs<AppRouter>;
export type AnnouncedExecution = Pick<Outputs["executions"]["get"], "id" | "executedCode" | "executedByAi">;
type ExitEvent = Extract<ExecutionEvent, { type: "exit" }>;
export type ExecutionExit = Omit<ExitEvent, "seq" | "type"> & { id: number };
export type StreamConnection = "connecting" | "live" | "reconnecting";

export interface StreamSnapshot {
  running: AnnouncedExecution | null;
  queued: number;
  connection: StreamConnection;
  lastExit: ExecutionExit | null;
}

type ConnectionState = { state: "idle" | "connecting" | "pending" };

/** Tracks one subscription's link state: "reconnecting" only once it had been connected. */
class LinkState {
  connected = false;
  reconnecting = false;
  update(s: ConnectionState) {
    if (s.state === "pending") {
      this.connected = true;
      this.reconnecting = false;
    } else if (s.state === "connecting") {
      this.reconnecting = this.connected;
    } else {
      this.reconnecting = false;
    }
  }
}

const COMMAND_SHOWN = 200;

/**
 * Streams a project's executions into a terminal, one after another in id order (the engine
 * runs a project's executions one at a time too): the feed announces each execution, whoever
 * started it, then its output is written raw (ANSI colours intact) followed by its exit status.
 * Both subscriptions resume after their last event id when the connection drops, so output
 * appears exactly once; while one is reconnecting the snapshot says so.
 */
export class ExecutionStream {
  private readonly seen = new Set<number>();
  private readonly pending: AnnouncedExecution[] = [];
  private running: AnnouncedExecution | null = null;
  private lastExit: ExecutionExit | null = null;
  private readonly feedLink = new LinkState();
  private readonly outputLink = new LinkState();
  private feed: { unsubscribe(): void } | null = null;
  private output: { unsubscribe(): void } | null = null;
  private atLineStart = true;
  private stopped = false;

  constructor(
    private readonly client: TRPCClient<AppRouter>,
    private readonly projectId: number,
    private readonly write: (text: string) => void,
    private readonly onChange: (snapshot: StreamSnapshot) => void,
    /** The program's own output (not the IDE's lines), per execution: e.g. to notice a server's address. */
    private readonly onProgramOutput?: (execution: AnnouncedExecution, data: string) => void,
  ) {}

  start(): void {
    this.feed = this.client.executions.feed.subscribe(
      { projectId: this.projectId },
      {
        onData: ({ data }) => this.enqueue(data),
        onConnectionStateChange: (s) => this.linkChanged(this.feedLink, s),
        onError: (err) => this.notice(ansi.red(`The live feed of executions failed: ${err.message}`)),
      },
    );
    this.emit();
  }

  stop(): void {
    this.stopped = true;
    this.feed?.unsubscribe();
    this.output?.unsubscribe();
  }

  /** Adds an execution to show (from the feed, or the id executions.run returned); repeats are ignored. */
  enqueue(execution: AnnouncedExecution): void {
    if (this.stopped || this.seen.has(execution.id)) return;
    this.seen.add(execution.id);
    this.pending.push(execution);
    this.pending.sort((a, b) => a.id - b.id);
    this.next();
  }

  private next(): void {
    if (this.running || this.stopped) return this.emit();
    const execution = this.pending.shift();
    if (!execution) return this.emit();
    this.running = execution;
    const command = (execution.executedCode ?? "").replace(/\s+/g, " ").trim();
    const shown = command.length > COMMAND_SHOWN ? `${command.slice(0, COMMAND_SHOWN)}…` : command;
    const by = execution.executedByAi ? ` ${ansi.dim(`(by ${execution.executedByAi})`)}` : "";
    this.line(`${ansi.bold(ansi.dim("$"))} ${ansi.bold(shown)}${by} ${ansi.dim(`#${execution.id}`)}`);
    this.outputLink.connected = false;
    this.output = this.client.executions.output.subscribe(
      { executionId: execution.id },
      {
        onData: ({ data: event }) => {
          if (event.type === "exit") return this.finish(execution, event);
          if (!event.data) return;
          this.write(event.data);
          this.onProgramOutput?.(execution, event.data);
          this.atLineStart = event.data.endsWith("\n");
        },
        onConnectionStateChange: (s) => this.linkChanged(this.outputLink, s),
        onError: (err) => {
          this.line(ansi.red(`The output stream failed: ${err.message}`));
          this.done();
        },
      },
    );
    this.emit();
  }

  private finish(execution: AnnouncedExecution, exit: ExitEvent): void {
    const code = exit.exitCode === null ? "" : ` · exit ${exit.exitCode}`;
    const truncated = exit.truncated ? " · output truncated" : "";
    const status =
      exit.reason === "cancelled"
        ? ansi.yellow(`■ cancelled${code}`)
        : exit.status === "timeout"
          ? ansi.yellow(`⏱ timed out${code}`)
          : exit.status === "success"
            ? ansi.green(`✔ success${code}`)
            : ansi.red(`✘ ${exit.status}${code}${exit.reason ? ` · ${exit.reason}` : ""}`);
    this.line(`${status}${ansi.dim(truncated)}\n`);
    this.lastExit = { id: execution.id, exitCode: exit.exitCode, status: exit.status, reason: exit.reason, truncated: exit.truncated };
    this.done();
  }

  private done(): void {
    this.output?.unsubscribe();
    this.output = null;
    this.running = null;
    this.outputLink.reconnecting = false;
    this.next();
  }

  private notice(text: string): void {
    this.line(text);
    this.emit();
  }

  /** Writes a line of the IDE's own, starting it on a fresh line. */
  private line(text: string): void {
    this.write(`${this.atLineStart ? "" : "\n"}${text}\n`);
    this.atLineStart = true;
  }

  private linkChanged(link: LinkState, state: ConnectionState): void {
    link.update(state);
    this.emit();
  }

  private emit(): void {
    if (this.stopped) return;
    const reconnecting = this.feedLink.reconnecting || (this.running !== null && this.outputLink.reconnecting);
    this.onChange({
      running: this.running,
      queued: this.pending.length,
      connection: reconnecting ? "reconnecting" : this.feedLink.connected ? "live" : "connecting",
      lastExit: this.lastExit,
    });
  }
}

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AgentConnection } from "./agent/agent-connection";
import { AgentCallError } from "./agent/agent-errors";
import { checkedProcessEvents, checkWrites, type CheckedProcessEvent, type CheckedWrites } from "./agent/agent-events";
import { Stream } from "./agent/gen/pantheon/agent/v1/agent_pb";
import { WORKSPACE_DIR } from "./container-scripts";
import { isSandboxError } from "./errors";
import { ExecutionOutput } from "./execution-output";
import type { PreparedExecution } from "./execution-request";
import type { ExecutionEvent } from "./execution-types";
import { classify, type RunOutcome } from "./executor";
import { plainArgv } from "./plain-command";

// An execution through the container's agent: one ProcessService.Start call (an h2 stream on the
// agent's one attached exec), no docker exec, no script. The agent reports the exit with rusage
// and, with track_writes, the paths the process wrote, which the engine saves before it reports.

/** Code snippets: the code arrives on stdin, goes to a temp file, and the runner gets the file. */
const CODE_RUNNER = 'f=/tmp/.pantheon-run-$$$1; shift; cat > "$f" && exec "$@" "$f" < /dev/null';
const SIGKILL = 9;
/** Hello's feature name for StartRequest.plain_command. */
const PLAIN_COMMAND = "plain_command";
/** Beyond the execution's timeout: the kill and the drain of the stream. Past it the call is cut. */
const CALL_GRACE_MS = 10_000;

export interface AgentRunOutcome extends RunOutcome {
  /** The exit event's written paths (null when the run never reached its exit). */
  writes: CheckedWrites | null;
}

export interface AgentRunOptions {
  signal?: AbortSignal;
  onEvent?: (event: ExecutionEvent) => void;
  env?: Record<string, string>;
  maxOutputBytes: number;
  /** Start commands without shell syntax as argv when the agent offers it (default true). */
  plainCommands?: boolean;
  log: Logger;
  /** Aborted when the container dies or is released (the pool's lease.died). */
  deathSignal: AbortSignal;
  /**
   * The container's OOM-kill count now, and the count before this run: a run that ends by SIGKILL
   * that nobody sent is an OOM kill when the count grew.
   */
  oom: {
    read: () => Promise<number | null>;
    before: number | null;
    /**
     * After the container died under the run: whether the runtime recorded an OOM kill. Under
     * gVisor the host's OOM killer ends the whole sandbox, agent included, so no count can be read.
     */
    containerOomKilled?: () => Promise<boolean>;
    /** The container's memory limit: a SIGKILL nobody sent to a run that peaked near it is an OOM kill. */
    limitBytes?: number;
  };
}

/** The agent refused a plain command before starting anything: bash is to run it. */
function refusedBeforeStart(err: unknown): boolean {
  return err instanceof AgentCallError && (err.rpcCode === "not_found" || err.rpcCode === "failed_precondition");
}

/** Runs one prepared execution through the agent; never throws (failures are in the outcome). */
export async function runOnAgent(agent: AgentConnection, exec: PreparedExecution, opts: AgentRunOptions): Promise<AgentRunOutcome> {
  const { log } = opts;
  const containerId = agent.containerId;
  const output = new ExecutionOutput(opts.maxOutputBytes);
  const emit = (event: ExecutionEvent) => {
    try {
      opts.onEvent?.(event);
    } catch (err) {
      log.warn({ containerId, err }, "execution event listener threw");
    }
  };
  const id = `run-${randomUUID()}`;
  const args = exec.suffix === "-" ? exec.argv : ["bash", "-c", CODE_RUNNER, "pantheon-run", exec.suffix, ...exec.argv];
  let ending: "timeout" | "cancelled" | null = null;
  const kill = (why: "timeout" | "cancelled") => {
    if (ending) return;
    ending = why;
    // The whole tree, including what left the process group (the agent is their subreaper).
    agent.process.signal({ id, signal: SIGKILL, tree: true }).catch((err: unknown) => log.debug({ containerId, err }, "kill through the agent failed"));
  };
  const timer = setTimeout(() => kill("timeout"), exec.timeoutMs);
  const onAbort = () => kill("cancelled");
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  // The call's own signal, tied to the container's death and untied after: a listener left on the
  // lease's long-lived signal per execution would pile up for the container's whole life.
  const callAbort = new AbortController();
  const onDeath = () => callAbort.abort(opts.deathSignal.reason);
  if (opts.deathSignal.aborted) onDeath();
  else opts.deathSignal.addEventListener("abort", onDeath, { once: true });
  const started = performance.now();
  let exitCode: number | null = null;
  let memoryPeakMb: number | null = null;
  let peakBytes = 0;
  let cpuPercent: number | null = null;
  let writes: CheckedWrites | null = null;
  let error: RunOutcome["error"] = null;
  // What the run left behind (background jobs) ends with it, as the old closing sweep did;
  // kept roots (shells, dev servers) are other processes and are spared. Awaited before the run
  // reports, whenever it was sent.
  const killTree = () =>
    agent.process.signal({ id, signal: SIGKILL, tree: true }).then(
      () => {},
      () => {},
    );
  let sweep: Promise<void> | null = null;
  const handle = (event: CheckedProcessEvent) => {
    if (event.type === "output") {
      const data = Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength);
      for (const out of output.append(event.stream === Stream.STDERR ? "stderr" : "stdout", data)) emit(out);
    } else if (event.type === "exited") {
      const e = event.exited;
      // A signal's death reads as a shell reports it (128 + n): 137 is a SIGKILL from outside.
      exitCode = e.signal ? 128 + e.signal : e.exitCode;
      peakBytes = Number(e.maxRssBytes);
      memoryPeakMb = Math.round((peakBytes / (1024 * 1024)) * 10) / 10;
      const micros = Number(e.userCpuMicros + e.systemCpuMicros);
      const wall = Number(e.durationMicros);
      cpuPercent = wall > 0 ? Math.round((micros / wall) * 1000) / 10 : null;
      writes = checkWrites(e);
      // An agent that did not kill the tree (an older one) gets the Signal, sent as soon as
      // the exit is known: its round trip overlaps the end of the stream.
      sweep ??= e.treeKilled ? Promise.resolve() : killTree();
    }
  };
  // A command with no shell syntax starts without bash when the agent can do it exactly as bash's
  // in-place exec would; when the agent refuses (not found, a script without #!, …) nothing ran
  // and the command goes through bash after all, which says what bash says.
  let plain = exec.suffix === "-" && opts.plainCommands !== false && agent.supports(PLAIN_COMMAND) ? plainArgv(exec.command) : null;
  try {
    while (!opts.signal?.aborted) {
      const call = agent.process.start(
        {
          id,
          command: { case: "argv", value: { args: plain ?? args } },
          plainCommand: plain !== null,
          cwd: WORKSPACE_DIR,
          env: opts.env ?? {},
          stdin: exec.stdin ?? new Uint8Array(),
          trackWrites: true,
          // The agent kills what the run left behind before it reports the exit (tree_killed):
          // no Signal round trip per run (a third of this process's CPU per execution).
          killTreeOnExit: true,
        },
        { timeoutMs: exec.timeoutMs + CALL_GRACE_MS, signal: callAbort.signal },
      );
      let seen = false;
      try {
        for await (const event of checkedProcessEvents(call, undefined, 0, () => callAbort.abort())) {
          seen = true;
          handle(event);
        }
      } catch (err) {
        if (plain !== null && !seen && ending === null && refusedBeforeStart(err)) {
          plain = null;
          continue;
        }
        throw err;
      }
      await (sweep ?? killTree());
      break;
    }
  } catch (err) {
    error = isSandboxError(err) ? { code: err.code, message: err.message } : { code: "INTERNAL", message: "the execution stream failed" };
    log.warn({ containerId, err: error.message }, "execution through the agent failed");
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    opts.deathSignal.removeEventListener("abort", onDeath);
  }
  const durationMs = Math.round(performance.now() - started);
  for (const event of output.flush()) emit(event);
  let oomKilled = false;
  if (exitCode === 137 && ending === null && error === null) {
    const now = await opts.oom.read().catch(() => null);
    oomKilled = now !== null && opts.oom.before !== null && now > opts.oom.before;
    // gVisor's own kernel kills the largest process as the sandbox nears its limit, and the
    // cgroup count the agent reads does not move there: a SIGKILL nobody sent, to a run whose
    // peak RSS reached three quarters of the limit, is that kill.
    if (!oomKilled && opts.oom.limitBytes && peakBytes >= opts.oom.limitBytes * 0.75) oomKilled = true;
  }
  const died = opts.deathSignal.aborted || agent.isDead;
  if (died && ending === null && !oomKilled && opts.oom.containerOomKilled) oomKilled = await opts.oom.containerOomKilled().catch(() => false);
  if (died && error === null) error = { code: "CONTAINER_LOST", message: agent.deathReason ?? "the container stopped during the execution" };
  // An agent that ends the stream without an exit, or dies, fails the run: never a success.
  const broken = error !== null && error.code !== "CANCELLED";
  const { status, reason } = classify({ ending, exitCode: broken ? null : exitCode, oomKilled, died: died || broken });
  return {
    exitCode: broken ? null : exitCode,
    status,
    reason,
    output: output.stdout,
    errorOutput: output.stderr,
    truncated: output.truncated,
    truncation: output.truncation,
    durationMs,
    memoryPeakMb,
    cpuPercent,
    containerLost: died || broken,
    exitSeq: output.nextSeq(),
    error,
    writes: broken ? null : writes,
  };
}

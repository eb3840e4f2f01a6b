import { randomUUID } from "node:crypto";
import { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import type { AgentConnection } from "./agent/agent-connection";
import { agentProtocolError } from "./agent/agent-errors";
import { checkedProcessEvents, MAX_OUTPUT_EVENT_BYTES, type CheckedProcessEvent } from "./agent/agent-events";
import { Stream } from "./agent/gen/pantheon/agent/v1/agent_pb";
import { WORKSPACE_DIR } from "./container-scripts";
import { isSandboxError, SandboxError } from "./errors";
import type { SpawnExit } from "./spawned-process";

// A long-lived process (interactive shell, background process, dev server, tunnel) through the
// container's agent: one ProcessService.Start stream carries its output and exit, SendInput its
// input, Resize its terminal size, Signal with `tree` kills it with every descendant (its own
// process group and session, and the setsid / double-fork leftovers the agent adopts as child
// subreaper). No `docker exec`, no script, no pid line to parse: the pid is the Started event.

const SIGKILL = 9;
/** One SendInput carries at most this much (the agent's messages are capped at 16 MiB). */
const MAX_INPUT_MESSAGE_BYTES = 256 * 1024;
/** Output buffered toward a slow reader before the stream stops pulling (then h2 flow control holds the agent). */
const OUTPUT_HIGH_WATER = 2 * MAX_OUTPUT_EVENT_BYTES;

export interface AgentSpawnRequest {
  argv: string[];
  tty?: boolean;
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  /** Aborted when the container dies or is released (the pool's lease.died): the process ends with it. */
  deathSignal: AbortSignal;
  /** Aborted when the start is given up (the engine's spawn deadline): a half-started process is killed. */
  startSignal: AbortSignal;
  log: Logger;
  /** Traffic counts as container activity (the idle clocks). */
  onInput?: () => void;
  onOutput?: () => void;
}

export interface AgentSpawned {
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves (never rejects) with the exit, or with exitCode null and why the stream ended without one. */
  readonly exited: Promise<SpawnExit>;
  resize(cols: number, rows: number): Promise<void>;
  /** SIGKILL to the process and every descendant; resolves when the agent has done it. */
  killTree(): Promise<void>;
  /** Stops following the process (its stream ends, exited resolves with exitCode null). */
  detach(reason: string): void;
}

/**
 * Starts argv in /workspace as the sandbox user through the agent, and resolves once the agent
 * reports its pid. Throws a SandboxError when the agent refuses (BAD_REQUEST: no such command),
 * is gone (CONTAINER_LOST), or the start is given up (startSignal).
 */
export async function spawnOnAgent(agent: AgentConnection, req: AgentSpawnRequest): Promise<AgentSpawned> {
  const { log } = req;
  const containerId = agent.containerId;
  const id = `spawn-${randomUUID()}`;
  const tty = req.tty === true;

  // The call lives as long as the process: no deadline (timeoutMs 0), cut when the container dies.
  const call = new AbortController();
  const onDeath = () => call.abort(req.deathSignal.reason);
  if (req.deathSignal.aborted) onDeath();
  else req.deathSignal.addEventListener("abort", onDeath, { once: true });
  const onGiveUp = () => call.abort(req.startSignal.reason);
  if (req.startSignal.aborted) onGiveUp();
  else req.startSignal.addEventListener("abort", onGiveUp, { once: true });

  const killTree = async () => {
    await agent.process.signal({ id, signal: SIGKILL, tree: true });
  };

  const events = checkedProcessEvents(
    agent.process.start(
      {
        id,
        command: { case: "argv", value: { args: req.argv } },
        cwd: WORKSPACE_DIR,
        env: req.env ?? {},
        // Input arrives later through SendInput; CloseInput (stdin.end()) is the EOF.
        keepStdinOpen: true,
        ...(tty ? { pty: { cols: req.cols ?? 80, rows: req.rows ?? 24 } } : {}),
      },
      { timeoutMs: 0, signal: call.signal },
    ),
  )[Symbol.asyncIterator]();

  let first: IteratorResult<CheckedProcessEvent>;
  try {
    first = await events.next();
    if (first.done || first.value.type !== "started") throw agentProtocolError("agent ProcessService.Start", "the first event is not `started`");
  } catch (err) {
    cleanup();
    // The agent may have started it before the start was given up: it must not linger.
    if (req.startSignal.aborted && !agent.isDead) killTree().catch(() => {});
    if (req.deathSignal.aborted) throw deathError(req.deathSignal);
    if (req.startSignal.aborted)
      throw isSandboxError(req.startSignal.reason) ? req.startSignal.reason : new SandboxError("CONTAINER_LOST", "the process did not start in time");
    throw err;
  } finally {
    req.startSignal.removeEventListener("abort", onGiveUp);
  }
  const pid = first.value.pid;

  function cleanup() {
    req.deathSignal.removeEventListener("abort", onDeath);
    req.startSignal.removeEventListener("abort", onGiveUp);
  }

  // Output flows while its reader reads: when a Readable is full the loop stops pulling events,
  // the h2 stream's window closes, and the agent holds the process in write(2), as a terminal would.
  let wake: (() => void) | null = null;
  const resume = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const stdout = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resume });
  const stderr = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resume });
  for (const out of [stdout, stderr]) out.on("close", resume);
  call.signal.addEventListener("abort", resume, { once: true });
  const waitForReader = () => new Promise<void>((resolve) => (wake = resolve));

  const followed = (async (): Promise<SpawnExit> => {
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) throw agentProtocolError("agent ProcessService.Start", "the stream ended before the exit event");
        const event = next.value;
        if (event.type === "output") {
          req.onOutput?.();
          const target = event.stream === Stream.STDERR ? stderr : stdout;
          if (target.destroyed) continue;
          const data = Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength);
          if (!target.push(data) && !target.destroyed && !call.signal.aborted) await waitForReader();
        } else if (event.type === "exited") {
          const e = event.exited;
          // A signal's death reads as a shell reports it (128 + n), as Docker's exec code did.
          return { exitCode: e.signal ? 128 + e.signal : e.exitCode };
        } else if (event.type === "gap") {
          // Start's own stream never loses events (the agent waits for it); a gap is a lie.
          log.warn({ containerId, pid, dropped: event.droppedEvents }, "spawned process reported lost output");
        }
      }
    } catch (err) {
      const why = call.signal.aborted ? reasonOf(call.signal.reason) : err instanceof Error ? err.message : String(err);
      return { exitCode: null, reason: why };
    } finally {
      cleanup();
      // Leave the call (connect-es keeps an h2 stream open while its iterator is not finished).
      call.abort(new SandboxError("CANCELLED", "stopped following the process"));
      void events.return?.(undefined);
      stdout.push(null);
      stderr.push(null);
    }
  })();
  // Output a reader is taking is delivered before the exit is told (a caller awaiting `exited`
  // then has all of it); a stream nobody reads, or one paused by its reader, is not waited for.
  const exited = followed.then(async (outcome) => {
    await delivered([stdout, stderr]);
    return outcome;
  });

  let ended = false;
  void followed.then(() => (ended = true));
  const send = async (data: Buffer) => {
    for (let at = 0; at < data.length; at += MAX_INPUT_MESSAGE_BYTES) {
      if (ended) return;
      await agent.process.sendInput({ id, data: data.subarray(at, at + MAX_INPUT_MESSAGE_BYTES) });
    }
  };
  // Writes are serialised (the next waits for the agent's answer); what piled up meanwhile goes as one message.
  const dropped = (err: unknown) => {
    if (!ended) log.debug({ containerId, pid, err }, "input to a spawned process was dropped");
  };
  const stdin = new Writable({
    highWaterMark: MAX_INPUT_MESSAGE_BYTES,
    write(chunk: Buffer, _enc, callback) {
      req.onInput?.();
      send(chunk).then(
        () => callback(),
        (err: unknown) => (dropped(err), callback()),
      );
    },
    writev(chunks, callback) {
      req.onInput?.();
      send(Buffer.concat(chunks.map((c) => c.chunk as Buffer))).then(
        () => callback(),
        (err: unknown) => (dropped(err), callback()),
      );
    },
    final(callback) {
      if (ended) return callback();
      agent.process.closeInput({ id }).then(
        () => callback(),
        (err: unknown) => (dropped(err), callback()),
      );
    },
  });
  stdin.on("error", () => {});

  return {
    pid,
    stdin,
    stdout,
    stderr,
    exited,
    async resize(cols: number, rows: number) {
      if (!tty || ended) return;
      await agent.process.resize({ id, size: { cols, rows } }).catch((err: unknown) => log.debug({ containerId, pid, err }, "resize failed"));
    },
    killTree,
    detach(reason: string) {
      call.abort(new SandboxError("CANCELLED", reason));
    },
  };
}

const DELIVERY_WAIT_MS = 1_000;

async function delivered(streams: Readable[]): Promise<void> {
  const flowing = streams.filter((s) => s.readableFlowing === true && !s.readableEnded && !s.destroyed);
  if (!flowing.length) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELIVERY_WAIT_MS)));
  const ends = flowing.map((s) => new Promise<void>((resolve) => s.once("end", resolve).once("close", resolve).once("pause", resolve)));
  await Promise.race([Promise.all(ends), bound]);
  clearTimeout(timer);
}

function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : "the process stream was cut";
}

function deathError(signal: AbortSignal): SandboxError {
  return isSandboxError(signal.reason) ? signal.reason : new SandboxError("CONTAINER_LOST", "the container is gone (released or stopped)");
}

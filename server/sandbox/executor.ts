import type { Logger } from "pino";
import { sleep } from "./abort";
import { bashArgs, KILL_SCRIPT, RUN_SCRIPT, SANDBOX_USER, WORKSPACE_DIR } from "./container-scripts";
import type { EngineOperation } from "./deadline";
import type { ResourceUsage, SandboxDriver } from "./driver";
import { isSandboxError, type SandboxErrorCode } from "./errors";
import { ExecutionOutput } from "./execution-output";
import type { PreparedExecution } from "./execution-request";
import type { ExecutionEvent, ExecutionReason, ExecutionStatus, OutputTruncation } from "./execution-types";

export interface RunOutcome {
  exitCode: number | null;
  status: ExecutionStatus;
  reason: ExecutionReason;
  output: string;
  errorOutput: string;
  truncated: boolean;
  truncation: OutputTruncation | null;
  durationMs: number;
  memoryPeakMb: number | null;
  cpuPercent: number | null;
  /** The container no longer answers (died, or its processes could not be killed): replace it. */
  containerLost: boolean;
  /** Sequence number for the exit event, after every output event. */
  exitSeq: number;
  /** Why the stream failed, when it did (e.g. DOCKER_UNAVAILABLE). */
  error: { code: SandboxErrorCode; message: string } | null;
}

export interface RunTarget {
  containerId: string;
  /**
   * What a sweep spares, as the scripts' "keepers|roots" argument: init's children at load time
   * (the idle keeper) and the kept roots. Asked at the moment of use, because kept roots can be
   * spawned while the execution runs.
   */
  keepers: () => string;
  /** The same for a kill on timeout or cancel, after spawns that are starting have registered. */
  settledKeepers: () => Promise<string>;
  /** Reports whether Docker events said this container died, and of what ("lost": an engine deadline expired). */
  deathReason: () => DeathReason | null;
  /** Aborted when Docker reports the container dead, or when it is released or lost. */
  deathSignal?: AbortSignal;
  /**
   * Runs one engine step under its deadline (deadline.ts): it rejects when the budget expires
   * (the container is then killed) or the container goes away. Absent: no deadline (unit tests).
   */
  guard?: <T>(operation: EngineOperation | "run", work: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** Why the engine gave the container up under this run (deadline expired, released), or null. */
  lostReason?: () => string | null;
}

type DeathReason = "oom" | "killed" | "died" | "lost";

/** How long the killed command's stream may linger before we stop reading it. */
const STREAM_GRACE_MS = 3_000;
/** How long to wait for Docker's event about a container that died under a command. */
const DEATH_EVENT_WAIT_MS = 2_000;

/** Runs one prepared execution in an already-loaded container and streams its output. */
export class Executor {
  constructor(
    private readonly driver: SandboxDriver,
    private readonly maxOutputBytes: number,
    private readonly log: Logger,
  ) {}

  async run(
    target: RunTarget,
    exec: PreparedExecution,
    opts: { signal?: AbortSignal; onEvent?: (event: ExecutionEvent) => void; env?: Record<string, string> } = {},
  ): Promise<RunOutcome> {
    const { containerId } = target;
    const output = new ExecutionOutput(this.maxOutputBytes);
    const emit = (event: ExecutionEvent) => {
      try {
        opts.onEvent?.(event);
      } catch (err) {
        this.log.warn({ containerId, err }, "execution event listener threw");
      }
    };

    await this.driver.resetMemoryPeak(containerId);
    const before = await this.driver.usage(containerId).catch(() => null);
    const started = performance.now();
    let ending: "timeout" | "cancelled" | null = null;
    let killFailed = false;
    const streamAbort = new AbortController();
    const guard = target.guard ?? (<T>(_op: EngineOperation | "run", work: (signal: AbortSignal) => Promise<T>) => work(new AbortController().signal));

    const stop = async (why: "timeout" | "cancelled") => {
      if (ending) return;
      ending = why;
      this.log.info({ containerId, why }, "killing execution process tree");
      killFailed = !(await this.killAll(containerId, await target.settledKeepers(), guard));
      // If the kill could not run (pids exhausted, container gone), stop waiting for the stream.
      setTimeout(() => streamAbort.abort(), killFailed ? 0 : STREAM_GRACE_MS).unref();
    };
    const timer = setTimeout(() => void stop("timeout"), exec.timeoutMs);
    const onDeath = () => streamAbort.abort();
    target.deathSignal?.addEventListener("abort", onDeath, { once: true });
    const onAbort = () => void stop("cancelled");
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });

    let exitCode: number | null = null;
    let streamError = false;
    let error: RunOutcome["error"] = null;
    try {
      if (!opts.signal?.aborted) {
        // The run's own deadline (its timeout, the kill, and a grace) catches a run script that
        // was stopped after its command returned, where no timer of ours would fire.
        ({ exitCode } = await guard("run", (deadline) =>
          this.driver.exec(containerId, {
            // Spawns still starting need no wait here: the run's closing sweep spares other execs.
            cmd: bashArgs(RUN_SCRIPT, "pantheon-run", [target.keepers(), exec.suffix, ...exec.argv]),
            user: SANDBOX_USER,
            workdir: WORKSPACE_DIR,
            ...(opts.env && Object.keys(opts.env).length ? { env: opts.env } : {}),
            ...(exec.stdin ? { stdin: exec.stdin } : {}),
            signal: AbortSignal.any([streamAbort.signal, deadline]),
            onOutput: (stream, data) => {
              for (const event of output.append(stream, data)) emit(event);
            },
          }),
        ));
      }
    } catch (err) {
      streamError = true;
      error = isSandboxError(err) ? { code: err.code, message: err.message } : { code: "INTERNAL", message: "the execution stream failed" };
      this.log.warn({ containerId, err: isSandboxError(err) ? err.message : err }, "execution stream failed");
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      target.deathSignal?.removeEventListener("abort", onDeath);
    }
    const durationMs = Math.round(performance.now() - started);
    for (const event of output.flush()) emit(event);

    const after = await this.driver.usage(containerId).catch(() => null);
    const killedFromOutside = !ending && (streamError || exitCode === null || exitCode === 137);
    const containerDied = killedFromOutside && target.deathReason() !== "oom" ? await this.containerDeath(target) : null;
    const oomKilled = (after?.oomKills ?? 0) > (before?.oomKills ?? 0) || target.deathReason() === "oom" || containerDied === "oom";
    const died = target.deathReason() !== null || containerDied !== null;
    // Given up by the engine (a deadline expired, or released): never a success, and say why.
    const lostReason = target.lostReason?.() ?? null;
    if (lostReason !== null && (error === null || error.code === "CANCELLED")) error = { code: "CONTAINER_LOST", message: lostReason };
    const { status, reason } = classify({ ending, exitCode, oomKilled, died: died || streamError, lost: lostReason !== null });
    return {
      exitCode,
      status,
      reason,
      output: output.stdout,
      errorOutput: output.stderr,
      truncated: output.truncated,
      truncation: output.truncation,
      durationMs,
      ...measure(before, after, durationMs),
      containerLost: died || killFailed || lostReason !== null || (streamError && exitCode === null) || error?.code === "CONTAINER_LOST",
      exitSeq: output.nextSeq(),
      error,
    };
  }

  /**
   * Why the container died under a command that was killed from outside, or null if it still
   * runs. The exec stream can end before Docker's events say why: under gVisor an OOM ends the
   * whole sandbox ("oom" and "die", in either order), and classifying at once read it as a plain
   * kill. So when the container is gone, wait (briefly) for the death event, then let Docker's
   * own record (State.OOMKilled, set for runc and runsc alike) have the last word on OOM.
   */
  private async containerDeath(target: RunTarget): Promise<DeathReason | null> {
    // undefined: Docker did not answer, so nothing says the container died; null: it is gone.
    const state = await this.driver.inspect(target.containerId).catch(() => undefined);
    if (state === undefined || state?.running) return null;
    if (target.deathSignal && !target.deathSignal.aborted) {
      const signal = target.deathSignal;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, DEATH_EVENT_WAIT_MS);
        signal.addEventListener("abort", done, { once: true });
      });
    }
    const settled = await this.driver.inspect(target.containerId).catch(() => null);
    if (settled?.oomKilled || state?.oomKilled) return "oom";
    return target.deathReason() ?? "died";
  }

  /**
   * Kills every process but the keepers; retried because a fork bomb can briefly exhaust pids.
   * Each attempt runs under the "kill" deadline; once the container is lost there is no retry.
   */
  async killAll(containerId: string, keepers: string, guard: NonNullable<RunTarget["guard"]>): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const { exitCode } = await guard("kill", (signal) =>
          this.driver.exec(containerId, { cmd: bashArgs(KILL_SCRIPT, "pantheon-kill", [keepers]), user: SANDBOX_USER, signal }),
        );
        if (exitCode === 0) return true;
      } catch (err) {
        this.log.debug({ containerId, attempt, err: isSandboxError(err) ? err.message : err }, "kill exec failed");
        if (isSandboxError(err, "CONTAINER_LOST")) return false;
      }
      await sleep(100 * (attempt + 1));
    }
    this.log.warn({ containerId }, "could not kill the execution's processes; the container will be replaced");
    return false;
  }
}

export function classify(input: { ending: "timeout" | "cancelled" | null; exitCode: number | null; oomKilled: boolean; died: boolean; lost?: boolean }): {
  status: ExecutionStatus;
  reason: ExecutionReason;
} {
  if (input.oomKilled) return { status: "error", reason: "oom" };
  if (input.ending === "cancelled") return { status: "error", reason: "cancelled" };
  // The engine gave the container up (an engine command outlived its deadline, or it was released):
  // whatever the program reported, or however long it ran, the run did not complete as recorded.
  if (input.lost) return { status: "error", reason: "killed" };
  if (input.ending === "timeout") return { status: "timeout", reason: null };
  if (input.exitCode === 0 && !input.died) return { status: "success", reason: null };
  // 137 = 128 + SIGKILL: something outside the program killed it.
  if (input.died || input.exitCode === null || input.exitCode === 137) return { status: "error", reason: "killed" };
  return { status: "error", reason: null };
}

function measure(before: ResourceUsage | null, after: ResourceUsage | null, durationMs: number): { memoryPeakMb: number | null; cpuPercent: number | null } {
  const memoryPeakMb = after?.memoryPeakBytes != null ? Math.round((after.memoryPeakBytes / (1024 * 1024)) * 10) / 10 : null;
  let cpuPercent: number | null = null;
  if (before?.cpuTotalNs != null && after?.cpuTotalNs != null && durationMs > 0) {
    // Percent of one core over the execution's wall time (can exceed 100 with several cores).
    cpuPercent = Math.round(((after.cpuTotalNs - before.cpuTotalNs) / (durationMs * 1e6)) * 1000) / 10;
  }
  return { memoryPeakMb, cpuPercent };
}

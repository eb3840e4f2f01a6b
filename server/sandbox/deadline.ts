import type { EngineConfig } from "./config";
import { SandboxError } from "./errors";

// Every command the engine runs inside a container runs as the sandbox user, the same uid as the
// project's own programs, so a program can SIGSTOP it (or starve it) and the command never ends.
// Nothing in the container is trusted to finish: each engine operation runs under a deadline,
// and an expired deadline means the container is lost (killed through the runtime, which the
// sandbox cannot resist) and the operation fails at once with a reason.

/** The engine's in-container operations, each with its own budget (see engineBudgets). */
export type EngineOperation = "load" | "write" | "finish" | "list" | "collect" | "kill" | "spawn" | "stats";

/** Slowest rate a tar of the workspace is allowed to move at (gVisor's ptrace platform under load). */
const TRANSFER_BYTES_PER_S = 4 * 1024 * 1024;
/** Short operations (a kill sweep, a `df`) never need the whole base budget. */
const SHORT_OPERATION_CAP_MS = 10_000;

/**
 * Budgets per operation, from the config (README "Engine deadlines" has the same table):
 * - load, write, collect (tar of the workspace over exec): base + maxProjectSize at 4 MiB/s
 * - finish, list (sweep and `find` over /workspace), spawn (until the process reports its pid): base
 * - kill (sweep on timeout or cancel, kill of a spawned tree), stats (`df`): min(base, 10 s)
 */
export function engineBudgets(config: Pick<EngineConfig, "engineCommandTimeoutMs" | "maxProjectSize">): Record<EngineOperation, number> {
  const base = config.engineCommandTimeoutMs;
  const transfer = base + Math.ceil((config.maxProjectSize / TRANSFER_BYTES_PER_S) * 1000);
  const short = Math.min(base, SHORT_OPERATION_CAP_MS);
  return { load: transfer, write: transfer, collect: transfer, finish: base, list: base, spawn: base, kill: short, stats: short };
}

/** What the engine reports when an operation outlived its budget. */
export class EngineDeadlineError extends SandboxError {
  constructor(
    readonly operation: EngineOperation | "run",
    readonly budgetMs: number,
  ) {
    super("CONTAINER_LOST", `engine command '${operation}' did not finish within ${formatSeconds(budgetMs)} s (container treated as lost)`);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
}

export interface DeadlineSpec {
  operation: EngineOperation | "run";
  budgetMs: number;
  /** Fires when the container is gone (released, killed, lost): the operation fails at once. */
  lost?: AbortSignal;
  /** Called once when the budget expires, before the operation's promise rejects: kill the container here. */
  onExpire?: (err: EngineDeadlineError) => void;
}

/**
 * Runs `work` with a signal that aborts when the budget expires or the container is lost, and
 * settles as soon as either happens: a command stuck where the signal cannot reach (a stopped
 * process, a Docker call that never answers) cannot hold the caller. The work keeps running in
 * the background until it notices; its late result or error is dropped.
 */
export function withDeadline<T>(spec: DeadlineSpec, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { lost } = spec;
  if (lost?.aborted) return Promise.reject(lostError(lost));
  const controller = new AbortController();
  const signal = lost ? AbortSignal.any([controller.signal, lost]) : controller.signal;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lost?.removeEventListener("abort", onLost);
      finish();
    };
    const onLost = () => {
      const err = lostError(lost);
      controller.abort(err);
      settle(() => reject(err));
    };
    const timer = setTimeout(() => {
      const err = new EngineDeadlineError(spec.operation, spec.budgetMs);
      controller.abort(err);
      settle(() => reject(err));
      spec.onExpire?.(err);
    }, spec.budgetMs);
    lost?.addEventListener("abort", onLost, { once: true });
    let started: Promise<T>;
    try {
      started = work(signal);
    } catch (err) {
      started = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    started.then(
      (value) => settle(() => resolve(value)),
      (err: unknown) => settle(() => reject(err instanceof Error ? err : new Error(String(err)))),
    );
  });
}

/** The error an operation fails with when its container went away under it. */
export function lostError(signal: AbortSignal | undefined): SandboxError {
  const reason: unknown = signal?.reason;
  if (reason instanceof SandboxError) return reason;
  return new SandboxError("CONTAINER_LOST", "the container is gone (released or stopped)");
}

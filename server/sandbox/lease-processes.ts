import type { Lease } from "./pool";

// What the engine knows about the processes in a lease's container that a kill-all must spare:
// the idle keeper (found when the workspace is loaded) and the kept roots (engine.spawn), plus
// the spawns still starting, whose pid is not known yet. The state lives in lease.state.

type WithState = Pick<Lease, "state">;

/** Pids of the long-lived processes (engine.spawn) alive in a lease's container. */
export function rootsOf(lease: WithState): Set<number> {
  return lease.state.roots;
}

/** Records the idle keeper pids the load script found. */
export function setKeepers(lease: WithState, keepers: string): void {
  lease.state.keepers = keepers;
}

/**
 * The sweep scripts' first argument: the idle keeper pids ("" before the first load) and, after
 * "|", the kept roots.
 */
export function keepersOf(lease: WithState): string {
  return `${lease.state.keepers}|${[...lease.state.roots].join(" ")}`;
}

/**
 * Marks a spawn as starting until `registration` settles (its pid is a kept root, or it failed).
 * Spawns can start while an execution runs (they do not wait for the project lock), so a kill
 * of that execution must not catch one between its exec and its pid being known.
 */
export function trackPendingSpawn<T>(lease: WithState, registration: Promise<T>): Promise<T> {
  const pending = lease.state.pendingSpawns;
  // Settles either way, so a failed spawn never becomes an unhandled rejection here.
  const entry: Promise<void> = registration.then(
    () => undefined,
    () => undefined,
  );
  void entry.then(() => pending.delete(entry));
  pending.add(entry);
  return registration;
}

/** How long a kill-all waits for starting spawns: a stuck exec must never hold back a timeout. */
export const PENDING_SPAWN_WAIT_MS = 2_000;

/**
 * keepersOf, once every spawn already starting has registered its pid or failed, or after
 * `maxWaitMs` (a spawn still starting then may be killed: it fails, it never blocks the kill).
 */
export async function settledKeepersOf(lease: WithState, maxWaitMs = PENDING_SPAWN_WAIT_MS): Promise<string> {
  const pending = lease.state.pendingSpawns;
  if (pending.size) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    await Promise.race([Promise.allSettled([...pending]), deadline]);
    clearTimeout(timer);
  }
  return keepersOf(lease);
}

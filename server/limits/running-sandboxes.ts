import { AppError } from "@/server/errors/app-error";

/**
 * "At most `max` sandboxes running at once per user". The caller counts the user's running
 * sandboxes (it owns that state); this is not a time window, so there is no retry delay to
 * give: a slot frees when the user stops or releases a sandbox.
 */
export function assertRunningBelow(count: number, max: number): void {
  if (count < max) return;
  throw new AppError(
    "TOO_MANY_REQUESTS",
    `at most ${max} running sandbox${max === 1 ? "" : "es"} per user (SANDBOX_RATE_SANDBOXES_PER_USER; you hold ${count}, counting executions, processes, shells and previews); stop or release one, then retry`,
    { limit: max, running: count },
  );
}

import { getDatabaseAvailability } from "@/server/db/database-availability";
import { isDatabaseUnavailableError } from "@/server/errors/from-database-error";
import { getLogger } from "@/server/logging/logger";

/** How long a result waits for the database to come back before the attempt is given up. */
export const DURABLE_RECORD_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Records an end (an execution's result, a process's exit) even across a database outage: an
 * attempt that fails because the database is away waits for it to come back (the supervisor
 * says when) and tries again, with backoff, for up to `withinMs`. Any other error is thrown at
 * once. The caller's client waits meanwhile, so what it is finally told is what is stored; a
 * result that could not be recorded in time is thrown, and the row is left to the sweeper.
 */
export async function recordDurably<T>(what: string, attempt: () => Promise<T>, withinMs = DURABLE_RECORD_MS): Promise<T> {
  const until = Date.now() + withinMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const availability = getDatabaseAvailability();
      const away = isDatabaseUnavailableError(err) || !availability.isUp();
      const left = until - Date.now();
      if (!away || left <= 0) throw err;
      if (n === 0) getLogger().warn({ component: "records", err }, `recording ${what} waits for the database`);
      await availability.waitUntilUp(Math.min(left, 30_000));
      await sleep(Math.min(250 * 2 ** Math.min(n, 4), 4_000, Math.max(0, until - Date.now())));
    }
  }
}

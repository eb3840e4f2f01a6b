import pg from "pg";
import { getEnv, liveEnv } from "@/lib/env";
import { rateLimitConfigFromEnv } from "@/server/limits/rate-limit-config";
import { createRateLimits, type RateLimits } from "@/server/limits/rate-limits";
import { getLogger } from "@/server/logging/logger";

// One set of limiters per process, on globalThis (Next may load this module twice). The counts
// live in PostgreSQL, so every instance sharing the database shares them.
const holder = globalThis as typeof globalThis & {
  __pantheonRateLimits?: Promise<RateLimits>;
  __pantheonRateLimitsConfig?: string;
  __pantheonRateLimitsPool?: pg.Pool;
};

export function getRateLimits(): Promise<RateLimits> {
  const config = rateLimitConfigFromEnv(getEnv());
  // A changed configuration (tests set their own) gets its own limiters.
  if (holder.__pantheonRateLimitsConfig !== JSON.stringify(config)) {
    holder.__pantheonRateLimits = undefined;
    void holder.__pantheonRateLimitsPool?.end().catch(() => {});
  }
  if (!holder.__pantheonRateLimits) {
    holder.__pantheonRateLimitsConfig = JSON.stringify(config);
    const url = liveEnv("DATABASE_URL");
    if (!url) throw new Error("DATABASE_URL is not set: the server sets it after starting the database");
    // A bounded connect: an unreachable database fails over to the in-memory insurance, not a hang.
    // 10 as Prisma's pool: an execution charges its two windows at once, and 50 projects run at once.
    // Commits without waiting for the WAL flush: a count lost to a crash of PostgreSQL itself only
    // gives points back, and each execution charges its windows before it runs (2-12 ms a flush).
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000, options: "-c synchronous_commit=off" });
    // An idle client dropped by the server (restart, shutdown) must not become an uncaught exception;
    // the pool replaces it, and the limiters' in-memory insurance covers an outage.
    pool.on("error", (err) => getLogger().warn({ err: err.message }, "rate-limit database connection lost"));
    holder.__pantheonRateLimitsPool = pool;
    holder.__pantheonRateLimits = createRateLimits(pool, config);
    holder.__pantheonRateLimits.catch(() => {
      holder.__pantheonRateLimits = undefined;
    });
  }
  return holder.__pantheonRateLimits;
}

/** Closes the limiters' connections (for the server's shutdown, before the database stops). */
export async function closeRateLimits(): Promise<void> {
  const pool = holder.__pantheonRateLimitsPool;
  holder.__pantheonRateLimits = undefined;
  holder.__pantheonRateLimitsPool = undefined;
  holder.__pantheonRateLimitsConfig = undefined;
  await pool?.end();
}

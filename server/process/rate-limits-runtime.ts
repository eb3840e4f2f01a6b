import pg from "pg";
import { getEnv } from "@/lib/env";
import { rateLimitConfigFromEnv } from "@/server/limits/rate-limit-config";
import { createRateLimits, type RateLimits } from "@/server/limits/rate-limits";
import { getLogger } from "@/server/logging/logger";
import { getAppRuntime } from "@/server/process/app-runtime";
import { databaseUrl } from "@/server/process/startup-settings";

// One set of limiters per process, in the process registry (server/process/app-runtime.ts). The
// counts live in PostgreSQL, so every instance sharing the database shares them.

export function getRateLimits(): Promise<RateLimits> {
  const config = rateLimitConfigFromEnv(getEnv());
  const holder = (getAppRuntime().rateLimits ??= {});
  // A changed configuration (tests set their own) gets its own limiters.
  if (holder.config !== JSON.stringify(config)) {
    holder.limits = undefined;
    void holder.pool?.end().catch(() => {});
  }
  if (!holder.limits) {
    holder.config = JSON.stringify(config);
    const url = databaseUrl();
    if (!url) throw new Error("DATABASE_URL is not set: the server sets it after starting the database");
    // A bounded connect: an unreachable database fails over to the in-memory insurance, not a hang.
    // 10 as Prisma's pool: an execution charges its two windows at once, and 50 projects run at once.
    // Commits without waiting for the WAL flush: a count lost to a crash of PostgreSQL itself only
    // gives points back, and each execution charges its windows before it runs (2-12 ms a flush).
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000, options: "-c synchronous_commit=off" });
    // An idle client dropped by the server (restart, shutdown) must not become an uncaught exception;
    // the pool replaces it, and the limiters' in-memory insurance covers an outage.
    pool.on("error", (err) => getLogger().warn({ err: err.message }, "rate-limit database connection lost"));
    holder.pool = pool;
    holder.limits = createRateLimits(pool, config);
    holder.limits.catch(() => {
      holder.limits = undefined;
    });
  }
  return holder.limits;
}

/** Closes the limiters' connections (for the server's shutdown, before the database stops). */
export async function closeRateLimits(): Promise<void> {
  const pool = getAppRuntime().rateLimits?.pool;
  getAppRuntime().rateLimits = undefined;
  await pool?.end();
}

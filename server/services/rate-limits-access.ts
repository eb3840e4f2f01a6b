import pg from "pg";
import { getEnv } from "@/lib/env";
import { rateLimitConfigFromEnv } from "@/server/limits/rate-limit-config";
import { createRateLimits, type RateLimits } from "@/server/limits/rate-limits";

// One set of limiters per process, on globalThis (Next may load this module twice). The counts
// live in PostgreSQL, so every instance sharing the database shares them.
const holder = globalThis as typeof globalThis & { __pantheonRateLimits?: Promise<RateLimits>; __pantheonRateLimitsConfig?: string };

export function getRateLimits(): Promise<RateLimits> {
  const config = rateLimitConfigFromEnv(getEnv());
  // A changed configuration (tests set their own) gets its own limiters.
  if (holder.__pantheonRateLimitsConfig !== JSON.stringify(config)) holder.__pantheonRateLimits = undefined;
  if (!holder.__pantheonRateLimits) {
    holder.__pantheonRateLimitsConfig = JSON.stringify(config);
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: the server sets it after starting the database");
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    holder.__pantheonRateLimits = createRateLimits(pool, config);
    holder.__pantheonRateLimits.catch(() => {
      holder.__pantheonRateLimits = undefined;
    });
  }
  return holder.__pantheonRateLimits;
}

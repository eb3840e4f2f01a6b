import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { databaseClientLimits } from "@/lib/env";
import { BoundedPool } from "./bounded-pool";
import { getAppRuntime } from "@/server/process/app-runtime";
import { databaseUrl } from "@/server/process/startup-settings";

// One client per process, in the process registry (server/process/app-runtime.ts): Next may load
// this module twice (custom server and route bundles), and each copy would otherwise open its own pool.
const OLD_POOL_GRACE_MS = 60_000;

export function getPrisma(): PrismaClient {
  const runtime = getAppRuntime();
  if (!runtime.prisma) {
    const url = databaseUrl();
    if (!url) throw new Error("DATABASE_URL is not set: the server sets it after starting the database");
    // Bounded connect, wait for a connection, statement and answer (bounded-pool.ts): with the
    // database unreachable, busy, or on a slow or stalled disk, a request fails in seconds with a
    // 503 that says which, instead of hanging.
    const pool = new BoundedPool(url, databaseClientLimits());
    runtime.prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    runtime.prismaPool = pool;
  }
  return runtime.prisma;
}

/**
 * The pool under the current Prisma client (the same connections and bounds), for the few
 * statements every execution makes (server/db/direct-query.ts). Replaced with the client.
 */
export function getPrismaPool(): BoundedPool {
  getPrisma();
  return getAppRuntime().prismaPool!;
}

/**
 * Swaps in a fresh client (and pool) after the database came back, so no request meets a pooled
 * connection to the server that died (Prisma 7's adapter-pg pool does drop broken connections by
 * itself; this is the belt to its braces). Callers use getPrisma() per call, so the next one gets
 * the new pool. The old one is closed only after a grace: a request that took it just before the
 * swap (a repository holding it for a $transaction) must finish on it, not meet an ended pool.
 */
export function resetPrisma(): void {
  const runtime = getAppRuntime();
  const old = runtime.prisma;
  runtime.prisma = undefined;
  runtime.prismaPool = undefined;
  if (old) setTimeout(() => void old.$disconnect().catch(() => {}), OLD_POOL_GRACE_MS).unref();
}

export async function disconnectPrisma(): Promise<void> {
  const runtime = getAppRuntime();
  const client = runtime.prisma;
  runtime.prisma = undefined;
  runtime.prismaPool = undefined;
  await client?.$disconnect();
}

export { Prisma } from "./generated/client";
export type { PrismaClient };

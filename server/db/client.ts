import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

// One client per process, on globalThis: Next may load this module twice (custom server and
// route bundles), and each copy would otherwise open its own pool.
const CONNECT_TIMEOUT_MS = 5_000;

const holder = globalThis as typeof globalThis & { __pantheonPrisma?: PrismaClient };

export function getPrisma(): PrismaClient {
  if (!holder.__pantheonPrisma) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: the server sets it after starting the database");
    // A bounded connect: with the database unreachable (network cut, a server that accepts and
    // never answers) a request fails in seconds with a 503 instead of hanging on the pool.
    holder.__pantheonPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }) });
  }
  return holder.__pantheonPrisma;
}

/**
 * Swaps in a fresh client (and pool) after the database came back: connections of the old pool
 * point at a server that is gone. Callers use getPrisma() per call, so the next one gets the new
 * pool; the old one is closed in the background (queries in flight on it have already failed).
 */
export function resetPrisma(): void {
  const old = holder.__pantheonPrisma;
  holder.__pantheonPrisma = undefined;
  void old?.$disconnect().catch(() => {});
}

export async function disconnectPrisma(): Promise<void> {
  const client = holder.__pantheonPrisma;
  holder.__pantheonPrisma = undefined;
  await client?.$disconnect();
}

export { Prisma } from "./generated/client";
export type { PrismaClient };

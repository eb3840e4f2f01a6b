import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

// One client per process, on globalThis: Next may load this module twice (custom server and
// route bundles), and each copy would otherwise open its own pool.
const holder = globalThis as typeof globalThis & { __pantheonPrisma?: PrismaClient };

export function getPrisma(): PrismaClient {
  if (!holder.__pantheonPrisma) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: the server sets it after starting the database");
    holder.__pantheonPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  }
  return holder.__pantheonPrisma;
}

export async function disconnectPrisma(): Promise<void> {
  const client = holder.__pantheonPrisma;
  holder.__pantheonPrisma = undefined;
  await client?.$disconnect();
}

export { Prisma } from "./generated/client";
export type { PrismaClient };

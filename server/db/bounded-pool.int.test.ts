import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { fromDatabaseError } from "@/server/errors/from-database-error";
import { BoundedPool } from "./bounded-pool";
import { PrismaClient } from "./generated/client";

// The server's database client against the real PostgreSQL, made slow on purpose: a statement
// longer than statement_timeout, and a pool whose every connection is held. Each must reach the
// caller as a 503 saying which (issue 12 point 6: a 503 must explain itself), as the server's own
// Prisma client would throw it.
const pool = new BoundedPool(inject("databaseUrl"), { poolMax: 2, statementTimeoutMs: 1_000 });
const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
afterAll(() => prisma.$disconnect());

const caught = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe("the bounded database client", () => {
  it("cancels a statement past statement_timeout and says nothing was stored", async () => {
    const err = await caught(prisma.$queryRaw`SELECT pg_sleep(5)`);
    const mapped = fromDatabaseError(err);
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ code: "UNAVAILABLE", details: { database: "slow", retryAfterSeconds: 5 } });
    expect((mapped as AppError).message).toMatch(/did not finish this request within \d+(\.\d+)? s; it was cancelled and nothing of it was stored/);
  });

  it("answers 'busy' when every connection stays in use, and serves again once one is free", async () => {
    const held = await Promise.all([pool.connect(), pool.connect()]);
    try {
      const err = await caught(prisma.$queryRaw`SELECT 1`);
      const mapped = fromDatabaseError(err);
      expect(mapped).toMatchObject({ code: "UNAVAILABLE", details: { database: "busy", retryAfterSeconds: 2 } });
      expect((mapped as AppError).message).toMatch(/The database is busy: all 2 connections of this server stayed in use/);
    } finally {
      for (const c of held) c.release();
    }
    expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  }, 30_000);
});

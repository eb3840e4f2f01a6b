import { describe, expect, it } from "vitest";
import { AppError } from "./app-error";
import { fromDatabaseError, isDatabaseUnavailableError } from "./from-database-error";

// Shapes copied from real failures logged by server/db/database-supervisor.int.test.ts.
const prismaStartingUp = Object.assign(new Error("Database error. Code: `57P03`. Message: `the database system is starting up`"), {
  name: "PrismaClientKnownRequestError",
  code: "P2039",
  meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "57P03", kind: "postgres", code: "57P03" } } },
});
const prismaPostmasterExit = Object.assign(new Error("terminating connection due to unexpected postmaster exit"), {
  name: "PrismaClientKnownRequestError",
  code: "P2039",
  meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "postgres", code: "57P01" } } },
});

describe("database errors", () => {
  it("recognises connection failures along Prisma's meta and cause chain", () => {
    expect(isDatabaseUnavailableError(prismaStartingUp)).toBe(true);
    expect(isDatabaseUnavailableError(prismaPostmasterExit)).toBe(true);
    expect(isDatabaseUnavailableError(new Error("x", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }))).toBe(true);
    expect(isDatabaseUnavailableError(new Error("Transaction API error: Unable to start a transaction in the given time."))).toBe(true);
    expect(isDatabaseUnavailableError(new Error("x", { cause: new Error("Client has encountered a connection error and is not queryable") }))).toBe(true);
    expect(isDatabaseUnavailableError(new Error("Client was closed and is not queryable"))).toBe(true);
  });

  it("leaves other failures alone: a constraint violation is not an outage", () => {
    const unique = Object.assign(new Error("Unique constraint failed"), { name: "PrismaClientKnownRequestError", code: "P2002" });
    expect(isDatabaseUnavailableError(unique)).toBe(false);
    expect(fromDatabaseError(unique)).toBe(unique);
    const appError = new AppError("NOT_FOUND", "nope");
    expect(fromDatabaseError(appError)).toBe(appError);
  });

  it("maps an outage to UNAVAILABLE with Retry-After", () => {
    const mapped = fromDatabaseError(prismaStartingUp);
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ code: "UNAVAILABLE", details: { retryAfterSeconds: 2 } });
  });

  it("tells a slow database from an absent one: busy, cancelled, unanswered", () => {
    const busy = new Error("x", { cause: Object.assign(new Error("database pool exhausted: all 7 connections stayed in use for 5 s"), { poolMax: 7 }) });
    expect(fromDatabaseError(busy)).toMatchObject({ code: "UNAVAILABLE", details: { database: "busy", retryAfterSeconds: 2 } });
    expect((fromDatabaseError(busy) as AppError).message).toContain("all 7 connections");
    const cancelled = Object.assign(new Error("canceling statement due to statement timeout"), {
      name: "PrismaClientKnownRequestError",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "57014", kind: "postgres" } } },
    });
    expect(fromDatabaseError(cancelled)).toMatchObject({ code: "UNAVAILABLE", details: { database: "slow", retryAfterSeconds: 5 } });
    expect((fromDatabaseError(cancelled) as AppError).message).toContain("nothing of it was stored");
    // pg's query_timeout: the answer never came, so whether a COMMIT happened is unknown.
    const connect = fromDatabaseError(new Error("x", { cause: new Error("Connection terminated due to connection timeout") }));
    expect(connect).toMatchObject({ code: "UNAVAILABLE", details: { database: "busy", retryAfterSeconds: 2 } });
    expect((connect as AppError).message).toContain("did not accept a new connection within 5 s");
    const unanswered = fromDatabaseError(new Error("Query read timeout"));
    expect(unanswered).toMatchObject({ code: "UNAVAILABLE", details: { database: "slow" } });
    expect((unanswered as AppError).message).toContain("whether this request was stored is unknown");
  });
});

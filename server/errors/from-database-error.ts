import { DATABASE_RETRY_AFTER_SECONDS, getDatabaseAvailability } from "@/server/db/database-availability";
import { databaseClientLimits } from "@/lib/env";
import { dataFolder, dataFolderFullNote, diskFullMessage, DISK_FULL_RETRY_AFTER_SECONDS, isDiskFullError } from "@/server/db/data-folder";
import { ANSWER_GRACE_MS, CONNECT_TIMEOUT_MS, NO_ANSWER_MESSAGE, POOL_EXHAUSTED_MESSAGE } from "@/server/db/bounded-pool";
import { AppError } from "./app-error";

// A database that is away (restarting, unreachable) is a retryable 503 with Retry-After, not a
// 500: the caller did nothing wrong and trying again in a moment works. Recognised by the codes
// node-postgres, PostgreSQL and Prisma use for "no connection", looked up along the cause chain
// (Prisma wraps the driver adapter's error, which carries PostgreSQL's SQLSTATE).

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown: the server was stopped under the connection
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, in recovery
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "P1001", // Prisma: can't reach database server
  "P1002", // Prisma: server reached but timed out
  "P1017", // Prisma: server closed the connection
  "P2024", // Prisma: timed out fetching a connection from the pool
]);
const CONNECTION_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "DatabaseDoesNotExist"]);
const CONNECTION_MESSAGES = [
  /can't reach database server/i,
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /server closed the connection/i,
  // node-postgres reusing a client whose connection already broke (the database was killed under
  // it): "Client has encountered a connection error and is not queryable", "Client was closed and
  // is not queryable". Both mean no connection, never a fault of the request.
  /client (has encountered a connection error|was closed) and is not queryable/i,
  // Prisma P2028 when the pool cannot hand out a connection for a transaction (database away).
  /unable to start a transaction in the given time/i,
];

export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable (restarting or unreachable); try again in a few seconds.";

export function isDatabaseUnavailableError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof o.code === "string" && CONNECTION_CODES.has(o.code)) return true;
    if (typeof o.kind === "string" && CONNECTION_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && CONNECTION_MESSAGES.some((r) => r.test(o.message as string))) return true;
    // Prisma keeps the driver adapter's error (with PostgreSQL's SQLSTATE) in meta, not in cause.
    e = o.meta?.driverAdapterError ?? o.cause;
  }
  return false;
}

// A database that is up but slow (server/db/bounded-pool.ts): every connection in use, a statement
// PostgreSQL cancelled at statement_timeout (its transaction rolled back), or no answer at all (a
// COMMIT waiting on a stalled disk: the outcome is unknown). Each a 503 that says which.
type Slowness = "busy" | "connect" | "cancelled" | "unanswered";
interface SlowError {
  kind: Slowness;
  /** For "busy": the size of the pool that was full (bounded-pool.ts puts it on the error). */
  poolMax?: number;
}
const SLOW_RETRY_AFTER_SECONDS = { busy: 2, connect: 2, cancelled: 5, unanswered: 5 } as const;

function slownessOf(err: unknown): SlowError | null {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; originalCode?: unknown; poolMax?: unknown };
    const message = typeof o.message === "string" ? o.message : "";
    if (message.includes(POOL_EXHAUSTED_MESSAGE)) {
      const stated = typeof o.poolMax === "number" ? o.poolMax : Number(/all (\d+) connections/.exec(message)?.[1]);
      return { kind: "busy", ...(Number.isFinite(stated) ? { poolMax: stated } : {}) };
    }
    if (message.includes(NO_ANSWER_MESSAGE)) return { kind: "unanswered" };
    // node-postgres when a new connection's start-up did not finish within CONNECT_TIMEOUT_MS while
    // the supervisor knows the database is up: it is slow to accept (a burst), not gone.
    if (/connection terminated due to connection timeout/i.test(message)) return { kind: "connect" };
    // 57014 query_canceled: statement_timeout (the only canceller of the server's own statements).
    if (o.code === "57014" || o.originalCode === "57014" || /canceling statement due to statement timeout/i.test(message)) return { kind: "cancelled" };
    e = o.meta?.driverAdapterError ?? o.cause;
  }
  return null;
}

function slowDatabase({ kind, poolMax }: SlowError): AppError {
  let limits = { poolMax: 0, statementTimeoutMs: 0 };
  try {
    limits = databaseClientLimits();
  } catch {
    // validated at start-up; the message only loses its figures
  }
  const folder = dataFolder();
  const disk = folder ? ` (is the disk under its data folder ${folder} slow?)` : "";
  const message = {
    busy: `The database is busy: all ${poolMax ?? limits.poolMax} connections of this server stayed in use; nothing of this request was stored. Try again shortly.`,
    connect: `The database did not accept a new connection within ${CONNECT_TIMEOUT_MS / 1000} s (overloaded or unreachable); nothing of this request was stored. Try again shortly.`,
    cancelled: `The database did not finish this request within ${limits.statementTimeoutMs / 1000} s${disk}; it was cancelled and nothing of it was stored. Try again shortly.`,
    unanswered: `The database did not answer within ${(limits.statementTimeoutMs + ANSWER_GRACE_MS) / 1000} s${disk}; whether this request was stored is unknown: read it back before retrying.`,
  }[kind];
  return new AppError("UNAVAILABLE", message, {
    retryAfterSeconds: SLOW_RETRY_AFTER_SECONDS[kind],
    database: kind === "busy" || kind === "connect" ? "busy" : "slow",
  });
}

/** While the supervisor knows the database is down, any failure of a database call is that. */
function isDatabaseClientError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === "string" && (name.startsWith("PrismaClient") || name === "DriverAdapterError");
}

/** A database outage as AppError UNAVAILABLE with Retry-After; anything else passes through unchanged. */
export function fromDatabaseError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  // A full data folder: a 503 naming it (507 is WebDAV's; clients retry 503 with Retry-After).
  if (isDiskFullError(err)) return diskFull();
  const down = !getDatabaseAvailability().isUp();
  // While the supervisor knows the database is down, a timeout is that outage, not slowness.
  const slow = down ? null : slownessOf(err);
  if (slow) return slowDatabase(slow);
  if (isDatabaseUnavailableError(err) || (down && isDatabaseClientError(err))) {
    // The database stopped because its folder filled up (its WAL could not grow): say so.
    if (dataFolderFullNote()) return diskFull();
    return new AppError("UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS, database: "unavailable" });
  }
  return err;
}

function diskFull(): AppError {
  return new AppError("UNAVAILABLE", diskFullMessage(), { retryAfterSeconds: DISK_FULL_RETRY_AFTER_SECONDS, storage: "full" });
}

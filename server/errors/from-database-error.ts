import { DATABASE_RETRY_AFTER_SECONDS, getDatabaseAvailability } from "@/server/db/database-availability";
import { dataFolderFullNote, diskFullMessage, DISK_FULL_RETRY_AFTER_SECONDS, isDiskFullError } from "@/server/db/data-folder";
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

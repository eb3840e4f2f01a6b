import pg from "pg";
import { getPrismaPool } from "./client";

// The statements every execution makes, sent on Prisma's own pool without Prisma's client: per
// statement its runtime cost ~0.5-1 ms of CPU on top of node-postgres (a `$queryRaw` SELECT 0.70 ms
// against 0.23 ms, an `update` of an execution 1.17 ms against 0.21 ms; tmp measurement, issue 11
// closing note), and an execution makes four of them before its answer. Same connections, same
// bounds (bounded-pool.ts), same errors for fromDatabaseError.
//
// Prisma's DateTime columns are `timestamp(3)` holding UTC; node-postgres would read them as local
// time, so they are parsed as UTC here, and dates are sent as ISO strings cast to timestamp.

const TIMESTAMP = 1114; // timestamp without time zone
const asUtc = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const builtIn = pg.types.getTypeParser.bind(pg.types) as (oid: number, format?: "text" | "binary") => (value: string) => unknown;
const utcTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") => (oid === TIMESTAMP && format !== "binary" ? asUtc : builtIn(oid, format)),
};

/** The rows of one statement ($1, $2, … placeholders). */
export async function directQuery<Row>(text: string, values: unknown[]): Promise<Row[]> {
  const result = await getPrismaPool().query({ text, values, types: utcTypes });
  return result.rows as Row[];
}

/** A date as a `$n::timestamp` parameter: its UTC wall time, as Prisma stores it. */
export function utcTimestamp(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

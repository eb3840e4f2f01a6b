import pg from "pg";

// The server's database connections, bounded in every way a slow database can hold a request:
// - connecting: CONNECT_TIMEOUT_MS (a server that accepts and never answers);
// - waiting for a free connection: the same timeout, as pg-pool has one setting for both; the
//   error then says the pool was full (POOL_EXHAUSTED_MESSAGE), so the caller hears "busy", not
//   "unreachable" (both are pg-pool's "timeout exceeded when trying to connect");
// - a statement: statement_timeout, PostgreSQL cancels it and rolls its transaction back;
// - an answer: query_timeout, a little longer, for what PostgreSQL cannot cancel: a COMMIT
//   waiting for the fsync of a stalled disk. Its outcome is unknown to the caller (it may still
//   commit once the disk answers); the connection stays usable, later queries on it wait their turn.
// - a transaction left open by a caller that went away: idle_in_transaction_session_timeout.

export const CONNECT_TIMEOUT_MS = 5_000;
/** How much longer than the statement timeout a caller waits for any answer at all. */
export const ANSWER_GRACE_MS = 10_000;
export const POOL_EXHAUSTED_MESSAGE = "database pool exhausted";
export const NO_ANSWER_MESSAGE = "Query read timeout"; // pg's own words for query_timeout

export interface DatabaseClientLimits {
  poolMax: number;
  statementTimeoutMs: number;
}

/** pg's Pool whose wait for a free connection, when it times out on a full pool, says so. */
export class BoundedPool extends pg.Pool {
  constructor(
    connectionString: string,
    readonly limits: DatabaseClientLimits,
  ) {
    super({
      connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      max: limits.poolMax,
      statement_timeout: limits.statementTimeoutMs,
      query_timeout: limits.statementTimeoutMs + ANSWER_GRACE_MS,
      idle_in_transaction_session_timeout: limits.statementTimeoutMs * 2,
    });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    // Full when asked: this caller queues behind the others, and a timeout means none came free.
    const full = this.totalCount >= this.limits.poolMax && this.idleCount === 0;
    const explain = (err: Error | undefined): Error | undefined =>
      err && full && /timeout exceeded when trying to connect/.test(err.message)
        ? Object.assign(
            new Error(`${POOL_EXHAUSTED_MESSAGE}: all ${this.limits.poolMax} connections stayed in use for ${CONNECT_TIMEOUT_MS / 1000} s`, { cause: err }),
            { poolMax: this.limits.poolMax },
          )
        : err;
    if (callback) return super.connect((err, client, done) => callback(explain(err), client, done));
    return super.connect().catch((err: unknown) => {
      throw err instanceof Error ? explain(err) : err;
    });
  }
}

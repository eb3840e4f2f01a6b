import type { Pool } from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "@/server/errors/app-error";
import type { RateLimitConfig } from "./rate-limit-config";
import { assertRunningBelow } from "./running-sandboxes";

/** One table for every limiter (keys carry the limiter's prefix); rate-limiter-flexible creates it. */
export const RATE_LIMIT_TABLE = "rate_limits";

export interface RateLimits {
  /** Counts one sandbox creation against the user's and the global per-minute and per-hour windows. */
  consumeSandboxCreation(userId: string): Promise<void>;
  /** Counts one execution against the project's and the user's per-minute windows. */
  consumeExecution(userId: string, projectId: string): Promise<void>;
  /** Gives back what a successful consumeExecution took: the request it paid for was refused afterwards. */
  refundExecution(userId: string, projectId: string): Promise<void>;
  /** Refuses a user who already runs `config.sandboxesPerUser` sandboxes. */
  assertCanRunAnotherSandbox(runningCount: number): void;
  /**
   * Counts one sign-in attempt against the account's and the client's windows before the
   * password is checked (so parallel guesses cannot slip past the count), refusing with 429
   * once either is spent. `signInSucceeded` then gives the attempt back: only failures count.
   */
  consumeSignInAttempt(accountKey: string, clientKey: string): Promise<void>;
  /** A correct password: the account's failures are forgotten, the client's attempt returned. */
  signInSucceeded(accountKey: string, clientKey: string): Promise<void>;
}

interface Window {
  limiter: RateLimiterPostgres;
  /** For the refusal message, e.g. "at most 10 executions per project per minute". */
  describe: string;
}

/** Resolves once the table exists, so no request meets "Table is not created yet". */
function postgresLimiter(pool: Pool, keyPrefix: string, points: number, durationSeconds: number, tableName: string): Promise<RateLimiterPostgres> {
  return new Promise((resolve, reject) => {
    const limiter: RateLimiterPostgres = new RateLimiterPostgres(
      {
        storeClient: pool,
        storeType: "pool",
        tableName,
        keyPrefix,
        points,
        duration: durationSeconds,
        // If PostgreSQL is unreachable, limit per app instance instead of failing every request.
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
      },
      (err) => (err ? reject(err) : resolve(limiter)),
    );
  });
}

function retryAfterSeconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/**
 * Consumes one point from each window in order. When one refuses, the points already taken
 * from the earlier windows are given back, so a refused request costs nothing elsewhere.
 */
async function consumeAll(windows: readonly { window: Window; key: string }[]): Promise<void> {
  const taken: { window: Window; key: string }[] = [];
  for (const entry of windows) {
    try {
      await entry.window.limiter.consume(entry.key);
      taken.push(entry);
    } catch (refusal) {
      await Promise.all(taken.map((t) => t.window.limiter.reward(t.key, 1)));
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = retryAfterSeconds(refusal);
      throw new AppError("TOO_MANY_REQUESTS", `${entry.window.describe}; retry in ${seconds} s`, { retryAfterSeconds: seconds });
    }
  }
}

/**
 * consumeAll's outcome in one round trip instead of one per window: every window is charged at
 * once, and on a refusal every window but the first refusing one (in the listed order) is given
 * back, which leaves the counts as consumeAll would have (the earlier ones returned, the later
 * ones untouched). For windows whose order carries no cost of its own (an execution's project
 * and user windows); sign-in keeps the sequential order, where a client past its budget must
 * write nothing for the account.
 */
async function consumeAllAtOnce(windows: readonly { window: Window; key: string }[]): Promise<void> {
  const settled = await Promise.allSettled(windows.map((entry) => entry.window.limiter.consume(entry.key)));
  const refusedAt = settled.findIndex((s) => s.status === "rejected");
  if (refusedAt === -1) return;
  const refusal = (settled[refusedAt] as PromiseRejectedResult).reason as unknown;
  await Promise.all(
    windows.flatMap((entry, i) => {
      const s = settled[i]!;
      // A later window that refused was charged too (a refusal still counts its point).
      const charged = s.status === "fulfilled" || (i > refusedAt && s.reason instanceof RateLimiterRes);
      return i !== refusedAt && charged ? [entry.window.limiter.reward(entry.key, 1)] : [];
    }),
  );
  if (!(refusal instanceof RateLimiterRes)) throw refusal;
  const seconds = retryAfterSeconds(refusal);
  throw new AppError("TOO_MANY_REQUESTS", `${windows[refusedAt]!.window.describe}; retry in ${seconds} s`, { retryAfterSeconds: seconds });
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Rate limits stored in PostgreSQL, so every request and every app instance sharing the
 * database shares the counts. Fixed windows (rate-limiter-flexible's model): a window starts
 * with its first request and resets after its duration.
 */
export async function createRateLimits(pool: Pool, config: RateLimitConfig, opts: { tableName?: string } = {}): Promise<RateLimits> {
  const table = opts.tableName ?? RATE_LIMIT_TABLE;
  // Sequential: the first creates the table; concurrent CREATEs from other instances are tolerated by the library.
  const createMinute = await postgresLimiter(pool, "create-min", config.createPerMinute, 60, table);
  const createHour = await postgresLimiter(pool, "create-hour", config.createPerHour, 3600, table);
  const execProject = await postgresLimiter(pool, "exec-project", config.execPerProjectPerMinute, 60, table);
  const execUser = await postgresLimiter(pool, "exec-user", config.execPerUserPerMinute, 60, table);
  const createUserMinute = await postgresLimiter(pool, "create-user-min", config.createPerUserPerMinute, 60, table);
  const createUserHour = await postgresLimiter(pool, "create-user-hour", config.createPerUserPerHour, 3600, table);
  const signInAccount = await postgresLimiter(pool, "signin-account", config.signInFailuresPerAccount, config.signInWindowSeconds, table);
  const signInClient = await postgresLimiter(pool, "signin-client", config.signInFailuresPerClient, config.signInWindowSeconds, table);
  const minutes = Math.round(config.signInWindowSeconds / 60);
  const signInWindow = minutes >= 1 ? plural(minutes, "minute", "minutes") : plural(config.signInWindowSeconds, "second", "seconds");

  const windows = {
    createMinute: { limiter: createMinute, describe: `at most ${plural(config.createPerMinute, "sandbox", "sandboxes")} created per minute` },
    createHour: { limiter: createHour, describe: `at most ${plural(config.createPerHour, "sandbox", "sandboxes")} created per hour` },
    execProject: { limiter: execProject, describe: `at most ${plural(config.execPerProjectPerMinute, "execution", "executions")} per project per minute` },
    execUser: { limiter: execUser, describe: `at most ${plural(config.execPerUserPerMinute, "execution", "executions")} per user per minute` },
    createUserMinute: {
      limiter: createUserMinute,
      describe: `at most ${plural(config.createPerUserPerMinute, "sandbox", "sandboxes")} created per user per minute`,
    },
    createUserHour: { limiter: createUserHour, describe: `at most ${plural(config.createPerUserPerHour, "sandbox", "sandboxes")} created per user per hour` },
    signInAccount: {
      limiter: signInAccount,
      describe: `too many failed sign-ins for this account (at most ${config.signInFailuresPerAccount} in ${signInWindow})`,
    },
    signInClient: {
      limiter: signInClient,
      describe: `too many failed sign-ins from your address (at most ${config.signInFailuresPerClient} in ${signInWindow})`,
    },
  } satisfies Record<string, Window>;

  return {
    consumeSandboxCreation: (userId) =>
      consumeAll([
        // The user's own windows first: a user past theirs must not spend the shared budget.
        { window: windows.createUserMinute, key: userId },
        { window: windows.createUserHour, key: userId },
        // "Overall": one key for everyone (seed: 20 per minute, 100 per hour in total).
        { window: windows.createMinute, key: "all" },
        { window: windows.createHour, key: "all" },
      ]),
    consumeExecution: (userId, projectId) =>
      consumeAllAtOnce([
        { window: windows.execProject, key: projectId },
        { window: windows.execUser, key: userId },
      ]),
    refundExecution: async (userId, projectId) => {
      await Promise.all([windows.execProject.limiter.reward(projectId, 1), windows.execUser.limiter.reward(userId, 1)]);
    },
    assertCanRunAnotherSandbox: (runningCount) => assertRunningBelow(runningCount, config.sandboxesPerUser),
    consumeSignInAttempt: (accountKey, clientKey) =>
      consumeAll([
        // The client first: a client past its budget then writes no row for each email it tries.
        { window: windows.signInClient, key: clientKey },
        { window: windows.signInAccount, key: accountKey },
      ]),
    signInSucceeded: async (accountKey, clientKey) => {
      await Promise.all([signInAccount.delete(accountKey), signInClient.reward(clientKey, 1)]);
    },
  };
}

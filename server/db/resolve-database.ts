import { join, resolve } from "node:path";
import type { Env } from "@/lib/env";
import { type EmbeddedDatabase, embeddedPostgresUrl, startEmbeddedPostgres } from "./embedded-postgres";
import { findRunningPostgres, type RunningPostgres } from "./running-postgres";

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
  /** The cluster this process started and so supervises; absent for DATABASE_URL or a shared one. */
  owned?: EmbeddedDatabase;
}

export interface ResolveOptions {
  /**
   * Use the embedded PostgreSQL already running on the data folder (the server's) instead of
   * starting one, and never stop it. For the admin CLI, which runs beside a live server.
   */
  shareRunning?: boolean;
}

const READY_WAIT_MS = 60_000;

/** DATABASE_URL when set; otherwise the embedded PostgreSQL in PANTHEON_DATA_DIR/postgres. */
export async function resolveDatabase(env: Env, log: (line: string) => void, opts: ResolveOptions = {}): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) {
    log(`database: using DATABASE_URL (${redact(env.DATABASE_URL)})`);
    return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const dataDir = resolve(join(env.PANTHEON_DATA_DIR, "postgres"));
  if (opts.shareRunning) {
    const running = await waitUntilReady(dataDir);
    if (running) {
      log(`database: using the running embedded PostgreSQL in ${dataDir} (process ${running.pid}, port ${running.port})`);
      return { url: embeddedPostgresUrl(running.port), embedded: true, stop: async () => {} };
    }
  }
  log(`database: DATABASE_URL is unset, starting the embedded PostgreSQL in ${dataDir} on 127.0.0.1:${env.PANTHEON_PG_PORT}`);
  try {
    const db = await startEmbeddedPostgres({ dataDir, port: env.PANTHEON_PG_PORT, log });
    return { url: db.url, embedded: true, stop: () => db.stop(), owned: db };
  } catch (e) {
    if (!opts.shareRunning) throw e;
    throw new Error(
      `no PostgreSQL runs on ${dataDir} and starting one on port ${env.PANTHEON_PG_PORT} failed (${errorText(e)}). ` +
        `Start the server (npm start) with the same PANTHEON_DATA_DIR, or set DATABASE_URL.`,
      { cause: e },
    );
  }
}

/** A server that is still starting has a postmaster.pid before it accepts connections. */
async function waitUntilReady(dataDir: string): Promise<RunningPostgres | null> {
  const deadline = Date.now() + READY_WAIT_MS;
  for (;;) {
    const running = findRunningPostgres(dataDir);
    if (!running || running.status === "ready") return running;
    if (Date.now() > deadline) {
      throw new Error(
        `the PostgreSQL in ${dataDir} (process ${running.pid}) has been "${running.status}" for ${READY_WAIT_MS / 1000} s; try again when the server is up`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.trim() || "no message";
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

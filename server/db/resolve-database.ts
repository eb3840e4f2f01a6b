import { join, resolve } from "node:path";
import type { Env } from "@/lib/env";
import { startEmbeddedPostgres } from "./embedded-postgres";

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL in PANTHEON_DATA_DIR/postgres. */
export async function resolveDatabase(env: Env, log: (line: string) => void): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) {
    log(`database: using DATABASE_URL (${redact(env.DATABASE_URL)})`);
    return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const dataDir = resolve(join(env.PANTHEON_DATA_DIR, "postgres"));
  log(`database: DATABASE_URL is unset, starting the embedded PostgreSQL in ${dataDir} on 127.0.0.1:${env.PANTHEON_PG_PORT}`);
  const db = await startEmbeddedPostgres({ dataDir, port: env.PANTHEON_PG_PORT, log });
  return { url: db.url, embedded: true, stop: () => db.stop() };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

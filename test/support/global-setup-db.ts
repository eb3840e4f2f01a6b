import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { migrateDatabase } from "@/server/db/migrate";

// Integration tests get a real PostgreSQL of their own: embedded, on a free port, in a
// throw-away folder, migrated with the same code the server runs at start-up.

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "pantheon-test-db-"));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the "postgres" user, which must reach its data folder
  const db = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: await freePort(), database: "pantheon_test" });
  await migrateDatabase(db.url);
  process.env.DATABASE_URL = db.url;
  project.provide("databaseUrl", db.url);
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

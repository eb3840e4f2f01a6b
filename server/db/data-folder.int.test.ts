import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/test/support/global-setup-db";
import { ensureAuthSecret } from "@/server/auth/auth-secret";
import { AppError } from "@/server/errors/app-error";
import { fromDatabaseError } from "@/server/errors/from-database-error";
import { dataFolderFullNote, isDiskFullError, registerDataFolder } from "./data-folder";
import { startEmbeddedPostgres } from "./embedded-postgres";

// Issue 12 point 4: the embedded PostgreSQL on a small tmpfs data folder, filled to the last
// byte. Mounting needs root, as the docker suites do; elsewhere this suite is reported skipped.
const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), "pantheon-full-"));
if (root) execFileSync("mount", ["-t", "tmpfs", "-o", "size=96m,mode=0755", "tmpfs", dir]);
afterAll(() => {
  registerDataFolder(null);
  if (root) execFileSync("umount", ["-l", dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes zeros until the file system refuses (ENOSPC), in smaller and smaller pieces. */
function fill(path: string): void {
  const fd = openSync(path, "w");
  for (const size of [4 << 20, 64 << 10, 4 << 10, 512]) {
    const chunk = Buffer.alloc(size);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
    }
  }
  closeSync(fd);
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {}); // a postmaster that stops under it must not crash the test
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

describe.runIf(root)("a full data folder", () => {
  it("refuses writes with a 503 naming the folder, keeps nothing half-written, and works again once space is freed", async () => {
    const db = await startEmbeddedPostgres({ dataDir: join(dir, "postgres"), port: await freePort() });
    registerDataFolder(dir);
    try {
      await withClient(db.url, async (c) => {
        await c.query("CREATE TABLE kept (id int PRIMARY KEY, body text NOT NULL)");
        for (let i = 0; i < 20; i++) await c.query("INSERT INTO kept VALUES ($1, $2)", [i, `row ${i} `.repeat(1000)]);
      });
      const before = await withClient(
        db.url,
        async (c) => (await c.query<{ sum: string }>("SELECT md5(string_agg(body, '' ORDER BY id)) AS sum FROM kept")).rows[0]?.sum,
      );

      fill(join(dir, "filler"));
      expect(dataFolderFullNote(Date.now() + 10_000)).toContain(dir);
      // Incompressible rows until PostgreSQL refuses one (disk_full), or stops because its WAL could not grow.
      let refusal: unknown = null;
      const attempted: number[] = [];
      for (let i = 100; i < 400 && !refusal; i++) {
        attempted.push(i);
        try {
          await withClient(db.url, (c) =>
            c.query("INSERT INTO kept VALUES ($1, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 8000)))", [i]),
          );
        } catch (e) {
          refusal = e;
        }
      }
      expect(refusal, "PostgreSQL accepted 300 rows of 256 KiB on a full folder").not.toBeNull();
      const mapped = fromDatabaseError(refusal);
      expect(mapped).toBeInstanceOf(AppError);
      expect(mapped).toMatchObject({ code: "UNAVAILABLE", details: { storage: "full", retryAfterSeconds: 30 } });
      expect((mapped as AppError).message).toContain(`The data folder ${dir} is full`);
      if (!isDiskFullError(refusal)) expect(String(refusal)).toMatch(/terminat|closed|ECONNREFUSED|shut/i);

      // The session secret is written aside and renamed: on a full folder nothing is left.
      const secretDir = join(dir, "secret");
      expect(() => ensureAuthSecret(secretDir)).toThrow(new RegExp(`cannot write the session secret to ${secretDir}/auth-secret: the folder is full`));
      expect(existsSync(secretDir) ? readdirSync(secretDir) : []).toEqual([]);

      rmSync(join(dir, "filler"));
      if (!db.isRunning()) await db.restart();
      await withClient(db.url, async (c) => {
        // Everything stored before is intact; of the refused rows, none is there in part.
        expect((await c.query<{ sum: string }>("SELECT md5(string_agg(body, '' ORDER BY id)) AS sum FROM kept WHERE id < 100")).rows[0]?.sum).toBe(before);
        const partial = await c.query("SELECT id FROM kept WHERE id >= 100 AND length(body) <> 256000");
        expect(partial.rows).toEqual([]);
        await c.query("INSERT INTO kept VALUES (1000, 'after')");
        expect((await c.query("SELECT body FROM kept WHERE id = 1000")).rows).toEqual([{ body: "after" }]);
        // amcheck-free sanity: a full scan reads every page without error.
        await c.query("SELECT count(*), sum(length(body)) FROM kept");
      });
      expect(ensureAuthSecret(secretDir)).toHaveLength(43);
      expect(dataFolderFullNote(Date.now() + 20_000)).toBeNull();
    } finally {
      await db.stop();
    }
  });
});

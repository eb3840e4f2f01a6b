import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/test/support/global-setup-db";
import { startEmbeddedPostgres } from "./embedded-postgres";

const dir = mkdtempSync(join(tmpdir(), "pantheon-embedded-"));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function query(url: string, sql: string) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL", () => {
  const dataDir = join(dir, "pg");

  it("reuses its data folder on a second start, and refuses a concurrent start clearly", async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    await query(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(/in use by process \d+/);
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, port });
    expect(await query(second.url, "SELECT v FROM kept")).toEqual([{ v: "survives" }]);
    await second.stop();
  }, 60_000);

  it("recovers after the server was killed (stale postmaster.pid) and keeps the data", async () => {
    const port = await freePort();
    const db = await startEmbeddedPostgres({ dataDir, port });
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    const log: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir, port, log: (l) => log.push(l) });
    expect(log.join("\n")).toMatch(/unclean shutdown/);
    expect(await query(again.url, "SELECT v FROM kept")).toEqual([{ v: "survives" }]);
    await again.stop();
    expect(db.url).toBe(again.url); // the killed instance needs no stop: its process is gone
  }, 60_000);
});

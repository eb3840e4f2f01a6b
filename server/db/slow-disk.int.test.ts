import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { SlowDisk, slowDiskRefusal } from "@/scripts/harness/slow-disk";
import { freePort } from "@/test/support/global-setup-db";
import { toPublicError } from "@/server/errors/public-error";
import { executionRepository } from "@/server/repositories/execution-repository";
import { fileRepository } from "@/server/repositories/file-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { disconnectPrisma } from "./client";
import { registerDataFolder } from "./data-folder";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";

// Issue 12 point 4, slow disk: the embedded PostgreSQL's data folder on scripts/slowfs (a FUSE
// loopback whose fsync waits), first slow (200 ms per fsync: every commit waits for it), then
// stalled (fsync never returns until released). Requests through the server's own database client
// (server/db/client.ts: pool, statement and answer timeouts) must each either succeed, with the
// effect durable, or fail within a bounded time as a 503 that says why: never a 500, never a hang,
// never half a file. Needs root (mount), /dev/fuse and Go (to build the tool), as CI has; elsewhere
// the suite is reported skipped, its name saying why.
const refusal = slowDiskRefusal();
const work = mkdtempSync(join(tmpdir(), "pantheon-slow-"));
let slow: SlowDisk | null = null;
let db: EmbeddedDatabase | null = null;
let pgPort = 0;
const savedUrl = process.env.DATABASE_URL;
// Short timeouts, so the stalled phase ends in seconds (the server's defaults are 30 s and 40 s).
const STATEMENT_TIMEOUT_MS = 2_000;
process.env.DATABASE_STATEMENT_TIMEOUT_MS = String(STATEMENT_TIMEOUT_MS);
/** A hang detector, not a timing assertion: a call that is still unanswered by now never will be. */
const ANSWER_BOUND_MS = 45_000;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const disk = (setting: string) => slow?.set(setting);
const dataDir = () => join(slow?.mountpoint ?? work, "postgres");

beforeAll(async () => {
  if (refusal) return;
  // initdb and the migrations on a fast disk: the test is about requests.
  slow = await SlowDisk.mount(work);
  pgPort = await freePort();
  db = await startEmbeddedPostgres({ dataDir: dataDir(), port: pgPort, database: "pantheon_slow" });
  await migrateDatabase(db.url);
  registerDataFolder(slow.mountpoint);
  // Every repository below goes through the server's client, pointed at the slow database.
  await disconnectPrisma();
  process.env.DATABASE_URL = db.url;
}, 300_000);

afterAll(async () => {
  await disk("fsync=0");
  await disconnectPrisma().catch(() => {});
  process.env.DATABASE_URL = savedUrl;
  delete process.env.DATABASE_STATEMENT_TIMEOUT_MS;
  registerDataFolder(null);
  await db?.stop().catch(() => {});
  await slow?.unmount();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

interface Outcome {
  path: string;
  content: string;
  ok: boolean;
  ms: number;
  status?: number;
  message?: string;
  retryAfter?: number;
}

/** One file save as the REST route makes it (the repository's one transaction); failures as the caller sees them. */
async function save(projectId: number, path: string, content: string): Promise<Outcome> {
  const started = performance.now();
  const upsert = { filePath: path, content, encoding: "utf8" as const, sizeBytes: Buffer.byteLength(content), version: sha(content), fileType: "text" };
  try {
    const result = await fileRepository.applyChanges(projectId, [upsert], []);
    return { path, content, ok: result.ok, ms: performance.now() - started };
  } catch (err) {
    const pub = toPublicError(err);
    return { path, content, ok: false, ms: performance.now() - started, status: pub.status, message: pub.message, retryAfter: pub.retryAfterSeconds };
  }
}

describe.runIf(!refusal)(`a slow disk under the data folder${refusal ? ` (skipped: ${refusal})` : ""}`, () => {
  const acknowledged = new Map<string, string>();
  const attempted = new Map<string, Set<string>>();
  let projectId = 0;

  const attempt = async (path: string, content: string) => {
    attempted.set(path, (attempted.get(path) ?? new Set()).add(content));
    const outcome = await save(projectId, path, content);
    if (outcome.ok) acknowledged.set(path, content);
    return outcome;
  };

  it("answers every request at 200 ms per fsync, and what it acknowledged is stored", async () => {
    const user = await makeUser();
    projectId = (await projectRepository.create({ name: "slow disk", description: null, userId: user.id, createdByAi: null, templateType: null })).id;
    await disk("fsync=200ms");
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(`f${i}.txt`, `slow ${i} ${"x".repeat(i * 100)}`)));
    const execution = await executionRepository.start({
      projectId,
      userId: user.id,
      executedCode: "echo slow",
      language: null,
      executionType: "run",
      executedByAi: null,
    });
    await executionRepository.finish(execution.id, {
      output: "slow\n",
      errorOutput: "",
      outputTruncated: false,
      exitCode: 0,
      executionTimeMs: 5,
      memoryUsedMb: null,
      cpuUsagePercent: null,
      status: "success",
      statusReason: null,
    });
    for (const o of outcomes) {
      expect(o.ms, `${o.path} answered after ${o.ms} ms`).toBeLessThan(ANSWER_BOUND_MS);
      if (!o.ok) expect(o, "a failure on a slow disk is a 503 with Retry-After").toMatchObject({ status: 503, retryAfter: expect.any(Number) });
    }
    // 200 ms per commit is slow, not broken: with room in the pool and the timeouts, all succeed.
    expect(outcomes.filter((o) => !o.ok).map((o) => o.message)).toEqual([]);
    const row = await executionRepository.findById(execution.id);
    expect(row).toMatchObject({ status: "success" });
    expect(row?.finishedAt).toBeInstanceOf(Date);
  }, 180_000);

  it("fails within a bounded time with a 503 naming the cause when the disk stalls", async () => {
    await disk("fsync=1h");
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(`stall${i}.txt`, `stalled ${i}`)));
    console.log(outcomes.map((o) => `${o.path}: ${o.ok ? "stored" : `${o.status} ${o.message}`} after ${Math.round(o.ms)} ms`).join("\n"));
    for (const o of outcomes) {
      expect(o.ms, `${o.path} answered after ${o.ms} ms`).toBeLessThan(ANSWER_BOUND_MS);
      expect(o.ok, "a commit cannot be acknowledged while its fsync never returns").toBe(false);
      expect(o).toMatchObject({ status: 503, retryAfter: expect.any(Number) });
      expect(o.message).toMatch(/did not answer within|did not accept a new connection|busy/);
    }
    console.log(
      `stalled disk: ${outcomes.length} saves answered 503 in ${Math.round(Math.max(...outcomes.map((o) => o.ms)))} ms at most; kinds: ${[...new Set(outcomes.map((o) => o.message))].join(" | ")}`,
    );
  }, 180_000);

  it("keeps every acknowledged file, and nothing half-written, once the disk is fast again and after a restart", async () => {
    await disk("fsync=0");
    const after = await save(projectId, "after.txt", "fast again");
    expect(after).toMatchObject({ ok: true });
    acknowledged.set("after.txt", "fast again");
    attempted.set("after.txt", new Set(["fast again"]));

    const check = async () => {
      const stored = new Map((await fileRepository.listWithContent(projectId)).map((f) => [f.filePath, f]));
      for (const [path, content] of acknowledged) {
        const f = stored.get(path);
        // A later save of the same path may have won after a 503 (its commit finished once the
        // disk came back); it must then be one of the contents attempted, whole.
        expect(f, `${path} was acknowledged`).toBeDefined();
        expect(attempted.get(path)?.has(f?.content ?? "\0none"), `${path} holds an attempted content`).toBe(true);
        if (attempted.get(path)?.size === 1) expect(f?.content).toBe(content);
      }
      for (const f of stored.values()) {
        const content = f.content ?? "\0none";
        expect(attempted.get(f.filePath)?.has(content), `${f.filePath} is whole`).toBe(true);
        expect(f.version).toBe(sha(content));
        expect(f.sizeBytes).toBe(Buffer.byteLength(content));
      }
    };
    await check();
    if (!db) throw new Error("no database");
    await disconnectPrisma();
    await db.stop();
    // A new start of the same folder and port, as the server's next start would make.
    db = await startEmbeddedPostgres({ dataDir: dataDir(), port: pgPort, database: "pantheon_slow" });
    await check();
  }, 180_000);
});

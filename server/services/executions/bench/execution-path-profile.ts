// `npm run bench:execution-path` (SANDBOX_RUNTIME=runc|runsc, BENCH_ROUNDS=n): where the time of
// one REST execution goes on the service path, in-process (no HTTP): the route handler of
// POST /api/sandbox/projects/:id/execute on a warm project, against a real PostgreSQL (embedded,
// throw-away) and the real Docker engine. Every database round trip is counted and timed at the
// pg client (Prisma's adapter and the rate limiters' pool both go through it), by statement.
// A script, not a test: it prints numbers and asserts nothing.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { freePort } from "@/test/support/global-setup-db";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { migrateDatabase } from "@/server/db/migrate";
import { stats } from "@/server/sandbox/bench/sample-stats";

const rounds = Number(process.env.BENCH_ROUNDS ?? 30);

interface Trip {
  sql: string;
  start: number;
  ms: number;
  /** Started before the response was ready (on the critical path) or after (background). */
  critical: boolean;
}

let trips: Trip[] | null = null;
let responded = false;
/** Each pg round trip: its statement's first words, and the time from send to answer. */
function instrumentPg(): void {
  // Pool.query (Prisma's adapter, the rate limiters) and Client.query on a checked-out client
  // (transactions); a pool's own call to its client passes a callback, returns no promise, and is
  // not counted twice.
  instrument(pg.Pool.prototype);
  instrument(pg.Client.prototype);
}

interface Queryable {
  query: (...args: unknown[]) => unknown;
}

function instrument(proto: Queryable): void {
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === "string" ? first : ((first as { text?: string } | null)?.text ?? "");
    const sink = trips;
    const critical = !responded;
    const started = performance.now();
    const result = original.apply(this, args);
    if (sink && result instanceof Promise) {
      const record = () => sink.push({ sql: summarize(text), start: started, ms: performance.now() - started, critical });
      result.then(record, record);
    }
    return result;
  };
}

function summarize(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  const table = /(?:FROM|INTO|UPDATE)\s+"?(?:public"?\."?)?"?([a-z_]+)"?/i.exec(s)?.[1] ?? "";
  const verb = s.split(" ")[0]?.toUpperCase() ?? "";
  return `${verb} ${table}`.trim() || s.slice(0, 40);
}

/** Overlapping round trips merged: how many waits in sequence, and how long they took together. */
function sequentialWaits(trips: Trip[]): { count: number; ms: number } {
  const sorted = [...trips].sort((a, b) => a.start - b.start);
  let count = 0;
  let ms = 0;
  let end = -Infinity;
  for (const t of sorted) {
    const tEnd = t.start + t.ms;
    if (t.start >= end) {
      count++;
      ms += t.ms;
      end = tEnd;
    } else if (tEnd > end) {
      ms += tEnd - end;
      end = tEnd;
    }
  }
  return { count, ms };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "pantheon-bench-db-"));
  chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: await freePort(), database: "pantheon_bench" });
  process.env.DATABASE_URL = db.url;
  process.env.NEXTAUTH_SECRET ??= "bench-secret-with-at-least-32-characters";
  process.env.SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE ??= "100000";
  process.env.SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE ??= "100000";
  await migrateDatabase(db.url);
  instrumentPg();
  // Imported after DATABASE_URL is set (the services read it when first used).
  const { startAppEngine } = await import("@/test/support/app-engine");
  const { keyFor, makeUser } = await import("@/test/fixtures/accounts");
  const { projectRepository } = await import("@/server/repositories/project-repository");
  const { POST: execute } = await import("@/app/api/sandbox/projects/[id]/execute/route");
  const { engine } = await startAppEngine({ scope: "bench", maxConcurrent: 8 });
  // As the server (main.ts): API keys are kept while the database's announcements are heard.
  const { startAuthInvalidation, stopAuthInvalidation } = await import("@/server/services/users/auth-invalidation");
  await startAuthInvalidation(db.url, pino({ level: "silent" }));
  try {
    const user = await makeUser();
    const key = await keyFor(user, { name: "bench", scopes: ["projects:read", "projects:write", "executions:run"] });
    const project = await projectRepository.create({ name: "bench", description: null, userId: user.id, createdByAi: null, templateType: null });
    const call = async (command: string) => {
      const req = new Request(`http://localhost/api/sandbox/projects/${project.id}/execute`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ command }),
      });
      const res = await execute(req, { params: Promise.resolve({ id: String(project.id) }) });
      const body = (await res.json()) as { status?: string };
      if (body.status !== "success") throw new Error(`execute failed: ${JSON.stringify(body)}`);
    };
    for (let i = 0; i < 3; i++) await call("true"); // the project holds its container
    console.log(`execution path profile: runtime=${engine.config.runtime} rounds=${rounds}`);
    for (const command of ["true", "echo 1"]) {
      const perRun: Trip[][] = [];
      const wall: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const sink: Trip[] = [];
        trips = sink;
        responded = false;
        const started = performance.now();
        await call(command);
        wall.push(performance.now() - started);
        responded = true;
        await new Promise((r) => setTimeout(r, 30)); // background writes land in this run's list
        trips = null;
        perRun.push(sink);
      }
      const byStatement = new Map<string, { count: number; ms: number[]; critical: number }>();
      for (const run of perRun) {
        for (const t of run) {
          const entry = byStatement.get(t.sql) ?? { count: 0, ms: [], critical: 0 };
          entry.count++;
          entry.ms.push(t.ms);
          if (t.critical) entry.critical++;
          byStatement.set(t.sql, entry);
        }
      }
      const w = stats(wall);
      const perExec = perRun.reduce((n, r) => n + r.length, 0) / rounds;
      const critical = perRun.reduce((n, r) => n + r.filter((t) => t.critical).length, 0) / rounds;
      // Round trips that overlap (sent together) are one wait: the waits in sequence, and their time.
      const waits = perRun.map((r) => sequentialWaits(r.filter((t) => t.critical)));
      const depth = waits.reduce((n, w) => n + w.count, 0) / rounds;
      const dbMs = stats(waits.map((w) => w.ms));
      console.log(`\n\`${command}\` via the route handler: p50 ${w.median.toFixed(1)} ms, p95 ${w.p95.toFixed(1)} ms`);
      console.log(
        `  round trips per execution: ${perExec.toFixed(1)} (${critical.toFixed(1)} before the answer, in ${depth.toFixed(1)} waits one after another; time spent waiting p50 ${dbMs.median.toFixed(1)} ms, p95 ${dbMs.p95.toFixed(1)} ms)`,
      );
      console.log(`  | statement | per execution | before the answer | p50 ms | p95 ms |`);
      for (const [sql, e] of byStatement) {
        const s = stats(e.ms);
        console.log(`  | ${sql} | ${(e.count / rounds).toFixed(1)} | ${(e.critical / rounds).toFixed(1)} | ${s.median.toFixed(2)} | ${s.p95.toFixed(2)} |`);
      }
    }
  } finally {
    await stopAuthInvalidation();
    await engine.stop();
    const { disconnectPrisma } = await import("@/server/db/client");
    const { closeRateLimits } = await import("@/server/process/rate-limits-runtime");
    await closeRateLimits().catch(() => {});
    await disconnectPrisma().catch(() => {});
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

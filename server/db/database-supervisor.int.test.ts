import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as listProjectsRest } from "@/app/api/sandbox/projects/route";
import { GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { freePort } from "@/test/support/global-setup-db";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { disconnectPrisma, resetPrisma } from "./client";
import { getDatabaseAvailability } from "./database-availability";
import { type DatabaseSupervisor, superviseDatabase } from "./database-supervisor";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";
import { isAlive } from "./running-postgres";

// The file's OWN supervised PostgreSQL (own folder, own port): killing the global setup's
// cluster would break every other integration file. Requests go through the real route
// handlers (REST, tRPC, health), with the real Prisma client pointed at this cluster.

const REQUEST_BOUND_MS = 6_000; // a request during the gap answers within this, never hangs
// The goal is 10 s (measured by scripts/measure-pg-recovery.ts, ~3 s on an idle machine); the test
// allows twice that because CI machines run it loaded (2 cores at load 20+ took 4.6 s here).
const RECOVERY_BOUND_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), "pantheon-supervised-"));
chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach its folder
const sharedUrl = process.env.DATABASE_URL;
let db: EmbeddedDatabase;
let supervisor: DatabaseSupervisor;
const log: string[] = [];

beforeAll(async () => {
  db = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: await freePort(), database: "pantheon_supervised" });
  await migrateDatabase(db.url);
  await disconnectPrisma();
  process.env.DATABASE_URL = db.url;
  supervisor = superviseDatabase({
    url: db.url,
    log: (l) => log.push(`${new Date().toISOString()} ${l}`),
    embedded: db,
    onRecovered: resetPrisma,
    probeIntervalMs: 500,
  });
});

afterAll(async () => {
  await supervisor?.stop();
  await disconnectPrisma();
  await db?.stop();
  process.env.DATABASE_URL = sharedUrl;
  rmSync(dir, { recursive: true, force: true });
});

function postmasterPid(): number {
  return Number.parseInt(readFileSync(join(db.dataDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
}

interface Seen {
  at: number;
  status: number;
  ms: number;
  retryAfter: string | null;
  body: unknown;
}

async function timed(call: () => Promise<Response>): Promise<Seen> {
  const started = Date.now();
  const res = await call();
  return { at: started, status: res.status, ms: Date.now() - started, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

describe("supervised embedded PostgreSQL", () => {
  it("after kill -9 of the postmaster: 503 + Retry-After during the gap, health shows the outage, recovery within the bound", async () => {
    const key = await keyFor(await makeUser());
    const auth = { authorization: `Bearer ${key}` };
    const rest = () => listProjectsRest(new Request("http://localhost/api/sandbox/projects", { headers: auth }));
    const trpc = () =>
      trpcGet(new Request("http://localhost/api/trpc/projects.list?input=" + encodeURIComponent(JSON.stringify({ json: {} })), { headers: auth }));
    const healthCheck = () => health(new Request("http://localhost/api/health"));
    expect((await timed(rest)).status).toBe(200);

    const pid = postmasterPid();
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    const seen = { rest: [] as Seen[], trpc: [] as Seen[], health: [] as Seen[] };
    let recoveredAt: number | null = null;
    while (Date.now() - killedAt < RECOVERY_BOUND_MS + REQUEST_BOUND_MS) {
      const [r, t, h] = await Promise.all([timed(rest), timed(trpc), timed(healthCheck)]);
      seen.rest.push(r);
      seen.trpc.push(t);
      seen.health.push(h);
      if (r.status === 200 && t.status === 200 && h.status === 200) {
        recoveredAt = Date.now();
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }

    if (process.env.SUPERVISOR_TEST_VERBOSE)
      console.info(`killed ${new Date(killedAt).toISOString()}, recovered +${(recoveredAt ?? NaN) - killedAt} ms\n${log.join("\n")}`);
    expect(isAlive(pid)).toBe(false);
    expect(postmasterPid()).not.toBe(pid); // a new postmaster on the same folder
    expect(recoveredAt, `no recovery; supervisor log: ${log.join(" / ")}`).not.toBeNull();
    expect((recoveredAt ?? Infinity) - killedAt).toBeLessThan(RECOVERY_BOUND_MS);

    for (const [name, list] of Object.entries(seen)) {
      for (const s of list) {
        expect(s.ms, `${name} took ${s.ms} ms`).toBeLessThan(REQUEST_BOUND_MS);
        expect([200, 503], `${name} at +${s.at - killedAt} ms: ${s.status} ${JSON.stringify(s.body)}`).toContain(s.status); // never a 500 or a hang
      }
    }
    // REST: the product's error shape, with Retry-After.
    const restGap = seen.rest.find((s) => s.status === 503);
    expect(restGap, "REST never saw the gap").toBeDefined();
    expect(restGap?.retryAfter).toBe("2");
    expect(restGap?.body).toMatchObject({ error: { code: "UNAVAILABLE", message: expect.stringContaining("database") as unknown } });
    // tRPC: SERVICE_UNAVAILABLE with retryAfterSeconds, and the header.
    const trpcGap = seen.trpc.find((s) => s.status === 503);
    expect(trpcGap, "tRPC never saw the gap").toBeDefined();
    expect(trpcGap?.retryAfter).toBe("2");
    expect(trpcGap?.body).toMatchObject({ error: { json: { data: { code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 2 } } } });
    // Health: down during the gap, up after, and the outage it recovered from.
    expect(seen.health.find((s) => s.status === 503)?.body).toMatchObject({ status: "degraded", database: { status: "down" } });
    expect(seen.health.at(-1)?.body).toMatchObject({ database: { status: "up" } });
    // The supervisor's own probe may answer a moment after the first request did.
    expect(await getDatabaseAvailability().waitUntilUp(REQUEST_BOUND_MS)).toBe(true);
    expect((await timed(healthCheck)).body).toMatchObject({ status: "ok", database: { status: "up", state: "up" } });
    const last = getDatabaseAvailability().snapshot().last;
    // Whichever noticed first names it: the exit event or the probe.
    expect(last?.reason).toMatch(/postmaster exited|connection|terminat/i);
    expect(last?.restartAttempts).toBeGreaterThanOrEqual(1);
    expect(log.join("\n")).toMatch(/back after/);
  });

  it("keeps the data written before the kill (crash recovery of the same folder)", async () => {
    const user = await makeUser();
    const pid = postmasterPid();
    process.kill(pid, "SIGKILL");
    // A pooled connection may still answer for a moment: poll only once the outage is seen.
    const seenDown = Date.now() + RECOVERY_BOUND_MS;
    while (getDatabaseAvailability().isUp() && Date.now() < seenDown) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(pid)).toBe(false);
    // An API key row references the user: creating one after the restart proves the row survived.
    const deadline = Date.now() + RECOVERY_BOUND_MS;
    let found = null;
    while (Date.now() < deadline && !found) {
      found = await keyFor(user).catch(() => null);
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).not.toBeNull();
    expect(await getDatabaseAvailability().waitUntilUp(RECOVERY_BOUND_MS)).toBe(true);
  });

  it("with an external database (no restart of its own): 503 while it is gone, reconnects when it is back", async () => {
    // The same cluster stands in for an external server: a supervisor without `embedded` only
    // probes and reconnects, and the "operator" restarts PostgreSQL by hand.
    await supervisor.stop();
    const externalLog: string[] = [];
    supervisor = superviseDatabase({ url: db.url, log: (l) => externalLog.push(l), onRecovered: resetPrisma, probeIntervalMs: 300 });
    const key = await keyFor(await makeUser());
    const rest = () => listProjectsRest(new Request("http://localhost/api/sandbox/projects", { headers: { authorization: `Bearer ${key}` } }));
    const outagesBefore = getDatabaseAvailability().snapshot().outages;

    process.kill(postmasterPid(), "SIGKILL");
    const deadline = Date.now() + RECOVERY_BOUND_MS;
    while (getDatabaseAvailability().isUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(getDatabaseAvailability().snapshot()).toMatchObject({ state: "down", outages: outagesBefore + 1 });
    const gap = await timed(rest);
    expect(gap.status).toBe(503);
    expect(gap.retryAfter).toBe("2");
    expect(gap.ms).toBeLessThan(REQUEST_BOUND_MS);
    await new Promise((r) => setTimeout(r, 1000));
    expect(db.isRunning()).toBe(false); // nobody restarted it: that is the operator's job here

    await db.restart();
    expect(await getDatabaseAvailability().waitUntilUp(RECOVERY_BOUND_MS)).toBe(true);
    expect((await timed(rest)).status).toBe(200);
    expect(externalLog.join("\n")).toMatch(/unreachable[\s\S]*back after/);
  });
});

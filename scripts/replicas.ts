// npm run replicas [-- --keep]
//
// Replicas of the app over one PostgreSQL and one Docker engine (issue 13 points 1, 2 and 4),
// tried as real servers: a PostgreSQL started here, and instances A, B (and C) started as
// `npm start` starts them (scripts/start.mjs), each with DATABASE_URL at that database, its own
// port and data folder, and one container scope. Then, through the REST and tRPC APIs:
//   cancel       a run on A cancelled through B: B answers {"cancelled": true} and the run ends
//                as cancelled; a second cancel through B answers false
//   stop         a background process on A stopped through B (REST DELETE): answered "stopped"
//   boot         instance C boots while A runs: A's containers and its run are untouched
//   kill -9      A's process group killed mid-run: B (a survivor) removes A's containers and ends
//                A's execution and process rows as interrupted; prints how long each took (≤ 30 s)
//   ownership    one live container per project (services/cluster/SCALE.md): runs through A and B
//                in turn leave one container (the lease moves); first requests racing through A
//                and B leave one; a run through B while A runs a process is forwarded to A and its
//                result comes back through B (round trip through B vs through A, p50/p95); A
//                paused (SIGSTOP) past the stale window is taken over by B and, resumed, fences
//                itself without losing or overwriting a saved file
// Prints one line per check and "N passed, N failed"; exit code 1 when any failed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { embeddedPostgresUrl, startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { createKey, docker, freePort, LiveServer, type RestClient, restClient, seconds, sleep } from "./harness/live-server";
import { checkFeeds, followOutput } from "./harness/replica-feeds";
import { checkPreviews } from "./harness/replica-previews";
import { createSandboxClient } from "@/lib/sandbox-client";

const { values } = parseArgs({ options: { keep: { type: "boolean", default: false } } });
const say = (line: string) => console.log(`[replicas] ${new Date().toISOString().slice(11, 19)} ${line}`);
/** Issue 13 point 2: a dead instance's work is taken over within this. */
const RECOVERY_BUDGET_MS = 30_000;
const BASE_PORT = Number(process.env.HARNESS_PORT ?? 0);
/** One secret for all: a session cookie made by one instance is good on the others (and it keys their hops). */
const AUTH_SECRET = "replicas harness secret, the same on every instance";

const results: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  say(`${ok ? "PASS" : "FAIL"} ${name}: ${detail}`);
}

async function until<T>(what: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 250): Promise<{ value: T | null; ms: number }> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = await what();
    if (value) return { value, ms: Date.now() - started };
    await sleep(everyMs);
  }
  return { value: null, ms: Date.now() - started };
}

/** tRPC over HTTP with the API key (superjson envelopes), as lib/sandbox-client.ts speaks it. */
async function trpc(api: RestClient, procedure: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${api.base}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { authorization: api.authorization, "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json()) as { result?: { data?: { json?: unknown } }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error ?? body)}`);
  return body.result.data?.json;
}

async function trpcQuery(api: RestClient, procedure: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${api.base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
    headers: { authorization: api.authorization },
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json()) as { result?: { data?: { json?: unknown } }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error ?? body)}`);
  return body.result.data?.json;
}

interface ExecutionRow {
  status: string | null;
  statusReason: string | null;
  finishedAt: string | null;
}
const getExecution = async (api: RestClient, executionId: number) => (await trpcQuery(api, "executions.get", { executionId })) as ExecutionRow;

const instanceContainers = (scope: string, instance: string) =>
  docker(["ps", "-a", "-q", "--filter", `label=pantheon.scope=${scope}`, "--filter", `label=pantheon.instance=${instance}`])
    .split("\n")
    .filter(Boolean);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const p50p95 = (ms: number[]) => {
  const sorted = [...ms].sort((x, y) => x - y);
  return `p50 ${Math.round(percentile(sorted, 50))} ms, p95 ${Math.round(percentile(sorted, 95))} ms (n=${ms.length})`;
};

function canUnshare(): boolean {
  try {
    execFileSync("unshare", ["--uts", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

interface Cluster {
  a: LiveServer;
  b: LiveServer;
  idA: string;
  idB: string;
  key: string;
  db: pg.Client;
  scope: string;
  figures: string[];
}

interface ExecutionJson {
  id: number;
  output: string | null;
  status: string | null;
}

/** Project ownership (issue 13 point 1, "Two instances racing", "a heartbeat lost while the owner is alive"; point 5's round trip). */
async function ownershipChecks({ a, b, idA, idB, key, db, scope, figures }: Cluster): Promise<void> {
  const viaA = restClient(a, key);
  const viaB = restClient(b, key);
  const newProject = async (name: string) => ((await viaA.json("POST", "/api/sandbox/projects", { name })) as { id: number }).id;
  const containersOf = (projectId: number) =>
    docker(["ps", "-a", "-q", "--filter", `label=pantheon.scope=${scope}`, "--filter", `label=pantheon.project=${projectId}`])
      .split("\n")
      .filter(Boolean);
  const execute = async (api: RestClient, projectId: number, command: string) =>
    (await api.json("POST", `/api/sandbox/projects/${projectId}/execute`, { command })) as ExecutionJson;
  const ranOn = async (executionId: number) =>
    (await db.query<{ instance_id: string | null }>("SELECT instance_id FROM sandbox_executions WHERE id = $1", [executionId])).rows[0]?.instance_id;
  const ownerOf = async (projectId: number) =>
    (await db.query<{ instance_id: string }>("SELECT instance_id FROM project_owners WHERE project_id = $1", [projectId])).rows[0]?.instance_id ?? null;
  const name = (id: string | null | undefined) => (id === idA ? "A" : id === idB ? "B" : String(id));

  // --- runs through A and B in turn: the lease moves with the project, one container at a time
  {
    const p = await newProject("alternate");
    const seen: string[] = [];
    const counts: number[] = [];
    const moveMs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const api = i % 2 ? viaB : viaA;
      const t = Date.now();
      const run = await execute(api, p, `echo run ${i} >> log.txt; wc -l < log.txt`);
      if (i > 0) moveMs.push(Date.now() - t);
      seen.push(`${i % 2 ? "B" : "A"}→${name(await ranOn(run.id))}:${(run.output ?? "").trim()}`);
      counts.push(containersOf(p).length);
    }
    check(
      "runs through A and B in turn leave exactly one container of the project (the lease moves, files follow)",
      counts.every((c) => c === 1) && seen.every((s, i) => s.endsWith(`:${i + 1}`)),
      `runs (asked→ran on:lines in log.txt) ${seen.join(" ")}; containers after each run ${counts.join(",")}`,
    );
    figures.push(`a run through the other instance that moves an idle project (save, release, bind, load): ${p50p95(moveMs)}`);
  }

  // --- first requests racing through A and B: one owner, one container
  {
    const outcomes: string[] = [];
    let most = 0;
    let ok = true;
    for (let round = 0; round < 3; round++) {
      const p = await newProject(`race-${round}`);
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          most = Math.max(most, containersOf(p).length);
          await sleep(200);
        }
      })();
      const [ra, rb] = await Promise.all([execute(viaA, p, "sleep 2; echo a"), execute(viaB, p, "sleep 2; echo b")]);
      sampling = false;
      await sampler;
      const after = containersOf(p).length;
      outcomes.push(`A→${name(await ranOn(ra.id))} B→${name(await ranOn(rb.id))} (${after} container)`);
      ok &&= ra.output?.trim() === "a" && rb.output?.trim() === "b" && after === 1;
    }
    check(
      "first requests racing through A and B yield one container of the project",
      ok && most === 1,
      `${outcomes.join("; ")}; most containers of one project seen at once: ${most}`,
    );
  }

  // --- a busy owner forwards: a run through B while A runs a process happens on A; its result comes back through B
  {
    const p = await newProject("forward");
    await viaA.json("POST", `/api/sandbox/projects/${p}/files`, { path: "where.txt", content: "on the owner" });
    const proc = (await viaA.json("POST", `/api/sandbox/projects/${p}/processes`, { command: "sleep 600" })) as { id: number };
    const run = await execute(viaB, p, "cat where.txt; echo; sleep 1; echo done");
    const on = await ranOn(run.id);
    check(
      "a run through B while A runs a process is forwarded to A and its result comes back through B",
      on === idA && run.status === "success" && run.output === "on the owner\ndone\n" && containersOf(p).length === 1 && (await ownerOf(p)) === idA,
      `ran on ${name(on)}, status ${run.status}, output ${JSON.stringify(run.output)}; containers ${containersOf(p).length}; owner ${name(await ownerOf(p))}`,
    );
    const written = await viaB.raw("POST", `/api/sandbox/projects/${p}/files`, { path: "via-b.txt", content: "written through B" });
    const seenOnA = await execute(viaA, p, "cat via-b.txt");
    check(
      "a file written through B while A is busy reaches A's container",
      written.ok && seenOnA.output === "written through B",
      `A's run printed ${JSON.stringify(seenOnA.output)}`,
    );

    // Point 5: the execution round trip through B (forwarded) vs through the owner A.
    const through = async (api: RestClient) => {
      const ms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = Date.now();
        const r = await execute(api, p, "true");
        if (r.status === "success") ms.push(Date.now() - t);
      }
      return ms;
    };
    const owner = await through(viaA);
    const forwarded = await through(viaB);
    figures.push(`execution round trip ("true", REST execute) through the owner A: ${p50p95(owner)}`);
    figures.push(`execution round trip ("true", REST execute) through B, forwarded to A: ${p50p95(forwarded)}`);
    // A background process through B while A is busy: forwarded to A (one container), stopped through B, its output kept.
    const started = await viaB.raw("POST", `/api/sandbox/projects/${p}/processes`, { command: "echo forwarded-$((2+3)); sleep 600" });
    const fwd = (await started.json()) as { id?: number; status?: string };
    const fwdRow = (
      await db.query<{ instance_id: string | null; status: string }>("SELECT instance_id, status FROM sandbox_processes WHERE id = $1", [fwd.id ?? 0])
    ).rows[0];
    await sleep(1_000);
    const stopped = await viaB.raw("DELETE", `/api/sandbox/projects/${p}/processes/${fwd.id ?? 0}`);
    const after = (await (await viaB.raw("GET", `/api/sandbox/projects/${p}/processes/${fwd.id ?? 0}`)).json()) as { status?: string; output?: string };
    check(
      "a background process through B while A is busy is started on A (one container), stopped through B, its output kept",
      started.status === 201 || started.status === 200
        ? fwdRow?.instance_id === idA &&
            fwdRow.status === "running" &&
            containersOf(p).length === 1 &&
            stopped.ok &&
            after.status !== "running" &&
            (after.output ?? "").includes("forwarded-5")
        : false,
      `B answered ${started.status} (${fwd.status}); row on ${name(fwdRow?.instance_id ?? null)} ${fwdRow?.status}; containers ${containersOf(p).length}; stop ${stopped.status}; then ${after.status} ${JSON.stringify(after.output)}`,
    );

    // The user's release through B (A still runs the process): A's runs and processes end and its container goes.
    const released = await viaB.raw("POST", `/api/sandbox/projects/${p}/release`);
    const procRow = (await db.query<{ status: string }>("SELECT status FROM sandbox_processes WHERE id = $1", [proc.id])).rows[0];
    check(
      "a release through B of a project A holds (busy) ends A's process and removes its container",
      released.ok && containersOf(p).length === 0 && (await ownerOf(p)) === null && procRow?.status !== "running",
      `B answered ${released.status}; containers ${containersOf(p).length}; owner ${name(await ownerOf(p))}; A's process ${procRow?.status}`,
    );
  }

  // --- a heartbeat held back while the owner is alive: A paused past the stale window is taken over; resumed, it fences itself
  {
    const p = await newProject("fence");
    await viaA.json("POST", `/api/sandbox/projects/${p}/files`, { path: "keep.txt", content: "saved through A" });
    const before = await execute(viaA, p, "cat keep.txt");
    const pid = a.serverPid();
    if (!pid) throw new Error("no pid for A");
    say(`SIGSTOP of A's server (pid ${pid}) for 22 s: its heartbeat stops while it holds project ${p}`);
    process.kill(pid, "SIGSTOP");
    let resumed = false;
    try {
      await sleep(22_000);
      const t = Date.now();
      const onB = await execute(viaB, p, "cat keep.txt");
      const takeoverMs = Date.now() - t;
      await viaB.json("POST", `/api/sandbox/projects/${p}/files`, { path: "keep.txt", content: "newer through B" });
      const ownerWhilePaused = await ownerOf(p);
      process.kill(pid, "SIGCONT");
      resumed = true;
      const fenced = await until(async () => {
        const rows = await db.query("SELECT 1 FROM project_owners WHERE instance_id = $1", [idA]);
        const beat = await db.query("SELECT 1 FROM server_instances WHERE id = $1 AND heartbeat_at > timezone('UTC', now()) - interval '6 seconds'", [idA]);
        return rows.rowCount === 0 && beat.rowCount === 1;
      }, 30_000);
      await sleep(8_000); // A's settle time after a fence, then it serves again
      const stored = (await db.query<{ content: string }>("SELECT content FROM sandbox_files WHERE project_id = $1 AND file_path = 'keep.txt'", [p])).rows[0]
        ?.content;
      const back = await execute(viaA, p, "cat keep.txt");
      const fencedLines = a.logFile
        ? readFileSync(a.logFile, "utf8")
            .split("\n")
            .filter((l) => l.includes("fenced: this instance stops serving")).length
        : 0;
      check(
        "an owner whose heartbeat is held back (SIGSTOP 22 s) is taken over, and fenced when it resumes, without losing or overwriting a saved file",
        before.output === "saved through A" &&
          onB.output === "saved through A" &&
          ownerWhilePaused === idB &&
          fenced.value !== null &&
          fencedLines > 0 &&
          stored === "newer through B" &&
          back.output === "newer through B" &&
          containersOf(p).length === 1,
        `before ${JSON.stringify(before.output)}; B took over in ${takeoverMs} ms and read ${JSON.stringify(onB.output)}; owner while A paused ${name(ownerWhilePaused)}; A fenced (no rows, fresh beat) ${fenced.value ? `${seconds(fenced.ms)} after SIGCONT` : "no"}, its log says "fenced" ${fencedLines} time(s); stored ${JSON.stringify(stored)}; A's run after ${JSON.stringify(back.output)}; containers ${containersOf(p).length}`,
      );
    } finally {
      if (!resumed) process.kill(pid, "SIGCONT");
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pantheon-replicas-"));
  const { chmodSync } = await import("node:fs");
  chmodSync(dir, 0o755);
  const port = async (offset: number) => (BASE_PORT ? BASE_PORT + offset : freePort());
  const pgPort = process.env.HARNESS_PG_PORT ? Number(process.env.HARNESS_PG_PORT) : await freePort();
  say(`starting PostgreSQL on :${pgPort}`);
  const database = await startEmbeddedPostgres({ dataDir: join(dir, "postgres"), port: pgPort });
  const databaseUrl = embeddedPostgresUrl(pgPort);
  const db = new pg.Client({ connectionString: databaseUrl });
  const scope = `replicas-${process.pid}`;
  const servers: LiveServer[] = [];
  const figures: string[] = [];
  const envFor = async (name: string, offset: number) => {
    const p = await port(offset);
    const previewListen = BASE_PORT ? BASE_PORT + 20 + offset : await freePort();
    const folder = join(dir, name);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(folder, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(p),
      NEXTAUTH_URL: `http://127.0.0.1:${p}`,
      // One secret for all: a session cookie made by one instance is good on the others.
      NEXTAUTH_SECRET: AUTH_SECRET,
      PANTHEON_DATA_DIR: folder,
      DATABASE_URL: databaseUrl,
      SANDBOX_CONTAINER_SCOPE: scope,
      SANDBOX_POOL_SIZE: "0",
      SANDBOX_LOG_LEVEL: "warn",
      SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE: "100000",
      SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE: "100000",
      // The ownership checks leave idle containers of several projects of one user until their idle release.
      SANDBOX_RATE_SANDBOXES_PER_USER: "100",
      // Domain mode: any instance's preview listener answers every preview (replica-previews.ts).
      SANDBOX_PREVIEW_DOMAIN: `http://preview.localhost:${previewListen}`,
      SANDBOX_PREVIEW_LISTEN_PORT: String(previewListen),
    };
    return { port: p, env };
  };
  /** `host`: the instance runs in a UTS namespace of its own with that host name, as on another machine. */
  const boot = async (name: string, offset: number, host?: string) => {
    const { port: p, env } = await envFor(name, offset);
    const launcher = host ? ["unshare", "--uts", "sh", "-c", `hostname ${host} && exec "$0" "$@"`] : [];
    const server = new LiveServer(p, env, join(dir, `${name}.log`), launcher);
    servers.push(server);
    const started = Date.now();
    await server.start();
    say(`instance ${name} up on :${p} in ${seconds(Date.now() - started)} (log ${join(dir, `${name}.log`)})`);
    return server;
  };
  try {
    // A looks like another machine to B and C: its death is told by its heartbeat alone (15 s
    // silent), not by the same-host pid check D's is (next round, ≤ 5 s).
    // A UTS namespace needs root (and util-linux's unshare); without it A is on this host too.
    const ownHost = canUnshare();
    if (!ownHost) say("no UTS namespace here (not root, or no unshare): A shares this host; its death is told by its pid, not its heartbeat");
    const a = await boot("a", 0, ownHost ? "replica-a" : undefined);
    const b = await boot("b", 1);
    await db.connect();
    const instanceOf = async (server: LiveServer) => {
      const pid = server.serverPid();
      const row = await db.query<{ id: string }>("SELECT id FROM server_instances WHERE pid = $1", [pid]);
      if (!row.rows[0]) throw new Error(`no server_instances row for pid ${pid}`);
      return row.rows[0].id;
    };
    const [idA, idB] = [await instanceOf(a), await instanceOf(b)];
    say(`instances: A=${idA} B=${idB}`);
    const key = await createKey(a.env, "replicas");
    const viaA = restClient(a, key);
    const viaB = restClient(b, key);
    const project = (await viaA.json("POST", "/api/sandbox/projects", { name: "replicas" })) as { id: number };

    // --- cancel through B of a run on A
    {
      const { executionId } = (await trpc(viaA, "executions.run", { projectId: project.id, kind: "command", command: "sleep 120", timeoutSeconds: 200 })) as {
        executionId: number;
      };
      await until(async () => (await db.query("SELECT 1 FROM sandbox_executions WHERE id = $1 AND instance_id = $2", [executionId, idA])).rowCount, 30_000);
      // The run is in its container (not still binding one) before the cancel goes through B.
      await until(async () => instanceContainers(scope, idA).length > 0, 60_000);
      await sleep(1_000);
      const started = Date.now();
      const answer = (await trpc(viaB, "executions.cancel", { executionId })) as { cancelled: boolean };
      const answerMs = Date.now() - started;
      const ended = await until(async () => {
        const row = await getExecution(viaB, executionId);
        return row.finishedAt ? row : null;
      }, 30_000);
      check(
        "cancel through B of a run on A",
        answer.cancelled && ended.value !== null && ended.value.status !== "success",
        `B answered ${JSON.stringify(answer)} in ${answerMs} ms; the run ended ${ended.value ? `${ended.value.status} (${ended.value.statusReason}) ${Date.now() - started} ms after the cancel` : "not within 30 s"}`,
      );
      const again = (await trpc(viaB, "executions.cancel", { executionId })) as { cancelled: boolean };
      check("a second cancel through B answers false", !again.cancelled, JSON.stringify(again));
    }

    // --- stop through B of a background process on A
    {
      const started = (await viaA.json("POST", `/api/sandbox/projects/${project.id}/processes`, { command: "sleep 300" })) as { id: number; status: string };
      const t = Date.now();
      const res = await viaB.raw("DELETE", `/api/sandbox/projects/${project.id}/processes/${started.id}`);
      const body = (await res.json()) as { status?: string };
      check(
        "stop through B of a process on A",
        res.status === 200 && body.status === "stopped",
        `B answered ${res.status} status=${body.status} in ${Date.now() - t} ms`,
      );
    }

    // --- feeds, shells and the bus's cost: work on A through B (before B holds a container of its own)
    await checkFeeds({
      check,
      figures,
      db,
      viaA,
      viaB,
      key,
      projectId: project.id,
      authSecret: AUTH_SECRET,
      originB: b.base,
      containersOf: (instance) => instanceContainers(scope, instance),
      idA,
      idB,
    });
    await checkPreviews({ check, viaA, key, projectId: project.id, listenB: Number(b.env.SANDBOX_PREVIEW_LISTEN_PORT) });

    // --- file coherence: each instance holds a live container of the project; a file saved
    // through one (API write, or a run's own write) is seen by the next run through the other.
    {
      const execute = async (api: RestClient, command: string) =>
        (await api.json("POST", `/api/sandbox/projects/${project.id}/execute`, { command })) as { output?: string; status?: string };
      await viaA.json("POST", `/api/sandbox/projects/${project.id}/files`, { path: "shared.txt", content: "v1" });
      const warmA = await execute(viaA, "cat shared.txt");
      const warmB = await execute(viaB, "cat shared.txt");
      const t = Date.now();
      await viaA.json("POST", `/api/sandbox/projects/${project.id}/files`, { path: "shared.txt", content: "v2 written through A" });
      const writeMs = Date.now() - t;
      const onB = await execute(viaB, "cat shared.txt");
      check(
        "a file written through A is seen by a run on B (the project moved to B before the write)",
        warmA.output === "v1" && warmB.output === "v1" && onB.output === "v2 written through A",
        `runs before: A ${JSON.stringify(warmA.output)}, B ${JSON.stringify(warmB.output)}; after the write through A (answered in ${writeMs} ms) B's run printed ${JSON.stringify(onB.output)}`,
      );
      const wrote = await execute(viaB, "printf 'v3 written by a run on B' > shared.txt");
      const onA = await execute(viaA, "cat shared.txt");
      check(
        "a file a run on B wrote is seen by the next run on A",
        wrote.status === "success" && onA.output === "v3 written by a run on B",
        `A's run printed ${JSON.stringify(onA.output)}`,
      );
    }

    /** Starts a run and a background process on `server`, waits for its container, returns their ids. */
    const busy = async (api: RestClient, instance: string) => {
      // The process first: a process started while a run binds the container waits for that run's end.
      const proc = (await api.json("POST", `/api/sandbox/projects/${project.id}/processes`, { command: "sleep 300" })) as { id: number };
      const { executionId } = (await trpc(api, "executions.run", { projectId: project.id, kind: "command", command: "sleep 250", timeoutSeconds: 280 })) as {
        executionId: number;
      };
      await until(async () => instanceContainers(scope, instance).length > 0, 60_000);
      return { executionId, processId: proc.id, containers: instanceContainers(scope, instance) };
    };

    /** kill -9 of the instance's process group mid-run; the survivors' sweepers must clean up within the budget. */
    const killAndMeasure = async (
      name: string,
      server: LiveServer,
      instance: string,
      work: { executionId: number; processId: number; containers: string[] },
    ) => {
      say(`kill -9 of instance ${name}'s process group (server, start.mjs) mid-run`);
      const killedAt = Date.now();
      server.killGroup("SIGKILL");
      // The three waits run side by side from the kill: each time is measured since it.
      const [gone, execEnded, procEnded] = await Promise.all([
        until(async () => instanceContainers(scope, instance).length === 0, 60_000),
        until(async () => {
          const row = await db.query<{ status: string | null; status_reason: string | null }>(
            "SELECT status, status_reason FROM sandbox_executions WHERE id = $1 AND finished_at IS NOT NULL",
            [work.executionId],
          );
          return row.rows[0] ?? null;
        }, 60_000),
        until(async () => {
          const row = await db.query<{ status: string }>("SELECT status FROM sandbox_processes WHERE id = $1 AND status <> 'running'", [work.processId]);
          return row.rows[0] ?? null;
        }, 60_000),
      ]);
      say(`the kill was ${seconds(Date.now() - killedAt)} ago`);
      check(
        `after kill -9 of ${name}, its containers are removed within ${RECOVERY_BUDGET_MS / 1000} s`,
        gone.value !== null && gone.ms <= RECOVERY_BUDGET_MS,
        `${work.containers.length} container(s) of ${name} gone ${seconds(gone.ms)} after the kill`,
      );
      check(
        `after kill -9 of ${name}, its run ends as interrupted within ${RECOVERY_BUDGET_MS / 1000} s`,
        execEnded.value?.status_reason === "interrupted" && execEnded.ms <= RECOVERY_BUDGET_MS,
        execEnded.value ? `${execEnded.value.status} (${execEnded.value.status_reason}) ${seconds(execEnded.ms)} after the kill` : "still open",
      );
      check(
        `after kill -9 of ${name}, its background process ends within ${RECOVERY_BUDGET_MS / 1000} s`,
        procEnded.value !== null && procEnded.ms <= RECOVERY_BUDGET_MS,
        procEnded.value ? `${procEnded.value.status} ${seconds(procEnded.ms)} after the kill` : "still running",
      );
      figures.push(`${name}: containers ${seconds(gone.ms)}, execution row ${seconds(execEnded.ms)}, process row ${seconds(procEnded.ms)}`);
    };

    await ownershipChecks({ a, b, idA, idB, key, db, scope, figures });

    // --- booting C leaves A's containers and run alone
    const workA = await busy(viaA, idA);
    const c = await boot("c", 2);
    await sleep(12_000); // two sweep rounds of every instance
    const after = instanceContainers(scope, idA);
    const runRow = await getExecution(viaB, workA.executionId);
    check(
      "booting C leaves A's containers and run alone",
      workA.containers.every((id) => after.includes(id)) && runRow.finishedAt === null,
      `A's containers before ${workA.containers.length}, after ${after.length}; A's run ${runRow.finishedAt ? `ended ${runRow.status}` : "still running"}`,
    );

    // --- kill -9: A (another host to the survivors: heartbeat), then D (same host: pid check); B follows A's run meanwhile
    const following = followOutput(createSandboxClient({ url: viaB.base, apiKey: key }), workA.executionId);
    await viaA.json("POST", `/api/sandbox/projects/${project.id}/files`, { path: "before-kill.txt", content: "saved through A before the kill" });
    await sleep(1_000);
    const killedAt = Date.now();
    await killAndMeasure(ownHost ? "A (other host)" : "A", a, idA, workA);
    // Point 2: A's project is served by a survivor, with every saved file, within the budget.
    const served = await until(async () => {
      const run = (await viaB
        .raw("POST", `/api/sandbox/projects/${project.id}/execute`, { command: "cat before-kill.txt" })
        .then((r) => r.json())) as ExecutionJson;
      return run.status === "success" ? run : null;
    }, RECOVERY_BUDGET_MS);
    const servedMs = Date.now() - killedAt;
    const ownerNow = (await db.query<{ instance_id: string }>("SELECT instance_id FROM project_owners WHERE project_id = $1", [project.id])).rows[0]
      ?.instance_id;
    check(
      `after kill -9 of A, its project is served through B with every saved file within ${RECOVERY_BUDGET_MS / 1000} s`,
      served.value?.output === "saved through A before the kill" && servedMs <= RECOVERY_BUDGET_MS && ownerNow === idB,
      served.value
        ? `B's run printed ${JSON.stringify(served.value.output)} ${seconds(servedMs)} after the kill; owner ${ownerNow === idB ? "B" : ownerNow}`
        : "not served",
    );
    figures.push(`A's project served again through B (first successful run) ${seconds(servedMs)} after the kill`);
    const end = await Promise.race([following.done, sleep(30_000).then(() => null)]);
    const exit = following.events.at(-1);
    check(
      "a follower of A's run through B ends when A is killed (the run ends as interrupted)",
      end?.ended === true && exit?.type === "exit" && exit.reason === "interrupted",
      end
        ? `ended by ${seconds(Date.now() - killedAt)} after the kill with ${JSON.stringify({ ...exit, at: undefined })}`
        : "still following 30 s after the sweeper ended the row",
    );
    following.stop();
    const d = await boot("d", 3);
    const idD = await instanceOf(d);
    await killAndMeasure("D (same host)", d, idD, await busy(restClient(d, key), idD));

    const idC = await instanceOf(c);
    const theirs = [idB, idC].map((id) => instanceContainers(scope, id).length);
    check(
      "the survivors still answer",
      (await viaB.raw("GET", "/api/health")).status === 200 && (await fetch(`${c.base}/api/health`)).status === 200,
      `B and C healthy; their containers: ${theirs.join(", ")}`,
    );
    console.log(
      `\nfigures (the bus: extra cost per event through B; round trips through the owner and through B; recovery after kill -9: time from the kill):\n  ${figures.join("\n  ")}`,
    );
  } catch (err) {
    check("harness", false, err instanceof Error ? err.message : String(err));
  } finally {
    await db.end().catch(() => {});
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    for (const id of docker(["ps", "-aq", "--filter", `label=pantheon.scope=${scope}`])
      .split("\n")
      .filter(Boolean))
      docker(["rm", "-f", id]);
    await database.stop().catch(() => {});
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

void main();

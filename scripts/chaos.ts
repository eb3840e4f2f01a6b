// npm run chaos [-- --short] [--faults postgres,container,docker-restart,disk-full,slow-disk,server,db-cut,burst] [--repeat N]
//
// Fault injection against a live server (issue 12 point 5): starts the real server as e2e does
// (scripts/start.mjs: next build when the sources changed, then server/main.ts) on a free port,
// with its own data folder, PostgreSQL port and container scope; creates a user and API key
// (admin CLI, beside the server) and a project with a file through the REST API; then injects
// each fault while a client keeps calling, and prints: fault, time to recovery, requests failed
// during it, anything lost (must be nothing): acknowledged files that changed or went, files a
// refused write left half-written, execution or process rows left running, containers of a dead
// instance. Exit code 1 when something was lost, a fault did not recover, or a request failed
// with a 500. --short: one round of each fault (CI); default: --repeat 3 for PostgreSQL.
//
// Faults, in order:
//   postgres        kill -9 of the embedded postmaster (the supervisor restarts it)
//   container       `docker kill` of the project's sandbox containers from outside
//   docker-restart  the Docker engine stopped and started again (systemctl, or the running
//                   dockerd's own command line; CHAOS_DOCKERD_PIDFILE names its pid file). It kills
//                   every container on the engine, so it runs only where that is yours to do: with
//                   CI set, CHAOS_DOCKER_RESTART=1, or DOCKER_HOST naming a private engine
//   disk-full       the data folder is a tmpfs of CHAOS_DATA_MB (default 384) MiB, filled to the
//                   last byte while files are written and code runs, then freed
//   slow-disk       a server of its own whose data folder is seen through scripts/slowfs (a FUSE
//                   loopback; the other faults' folder stays direct): fsync at
//                   200 ms (writes and runs must succeed), then stalled (each write must answer a
//                   503 within the server's bounds: DATABASE_STATEMENT_TIMEOUT_MS is 5 s here), then
//                   fast again; refused writes are absent or whole. Needs root, /dev/fuse and Go
//   server          kill -9 of the server's process group mid-execution, then a restart
//   db-cut          a second server on a PostgreSQL reached through a TCP proxy in this harness;
//                   the proxy drops every connection (and refuses new ones) for 8 s while an
//                   execution runs, then lets them through again
//   burst           CHAOS_BURST (default 10,000) requests at once on one project (reads, writes,
//                   executions): each answered 2xx, 429 or 503 with Retry-After, the server up,
//                   every acknowledged write read back whole
import { execFileSync, spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { embeddedPostgresUrl, startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { SlowDisk, slowDiskRefusal } from "./harness/slow-disk";
import {
  createKey,
  docker,
  foreignInstances,
  freePort,
  harnessSetup,
  LiveServer,
  printTable,
  readFileContent,
  type RestClient,
  restClient,
  rowsLeftRunning,
  scopeContainers,
  seconds,
  sh,
  sleep,
} from "./harness/live-server";

const ALL_FAULTS = ["postgres", "container", "docker-restart", "disk-full", "slow-disk", "server", "db-cut", "burst"];
const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    faults: { type: "string", default: ALL_FAULTS.join(",") },
    repeat: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const faults = values.faults.split(",").map((s) => s.trim());
for (const f of faults) if (!ALL_FAULTS.includes(f)) throw new Error(`unknown fault ${f}; known: ${ALL_FAULTS.join(", ")}`);
const repeat = Number(values.repeat ?? (values.short ? 1 : 3));
const RECOVERY_LIMIT_MS = 90_000;
const DB_CUT_MS = 8_000;
const BURST = Number(process.env.CHAOS_BURST ?? 10_000);
const say = (line: string) => console.log(`[chaos] ${new Date().toISOString().slice(11, 19)} ${line}`);

/** One call's outcome as the table counts it: "503", "no answer", "200 error/killed" (a run that failed). */
interface Attempt {
  ok: boolean;
  label: string;
}

const attempt = async (call: Promise<Response>): Promise<Attempt> => {
  const res = await call.catch(() => null);
  await res?.text().catch(() => "");
  return res ? { ok: res.status >= 200 && res.status < 300, label: String(res.status) } : { ok: false, label: "no answer" };
};

interface Row {
  fault: string;
  recoveryMs: number | null;
  failed: number;
  total: number;
  /** Status of each failed request ("503×12"): an outage must answer 503, never 500. */
  statuses: string;
  lost: string;
  /** Not run, and why (the table says so; it is neither a pass nor a failure). */
  notRun?: string;
}

const BASE_ENV = {
  SANDBOX_POOL_SIZE: "1",
  SANDBOX_RATE_CREATE_PER_MINUTE: "1000",
  SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE: "100000",
  SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE: "100000",
};

/** One server under test, its project, and what the client was told is stored. */
class Subject {
  readonly files = new Map<string, string>();
  constructor(
    readonly server: LiveServer,
    readonly api: RestClient,
    readonly projectId: number,
    readonly pgPort: number,
  ) {}

  static async open(server: LiveServer, pgPort: number, env: NodeJS.ProcessEnv): Promise<Subject> {
    const api = restClient(server, await createKey(env, "chaos"));
    const project = (await api.json("POST", "/api/sandbox/projects", { name: "chaos" })) as { id: number };
    const s = new Subject(server, api, project.id, pgPort);
    await s.write("before.txt");
    const first = await s.run();
    if (!first.ok) throw new Error(`the first execution failed: ${first.label}`);
    return s;
  }

  async write(path: string, content = `written ${new Date().toISOString()} ${Math.random()}`): Promise<Response> {
    const res = await this.api.raw("POST", `/api/sandbox/projects/${this.projectId}/files`, { path, content });
    if (res.status === 201 || res.status === 200) this.files.set(path, content); // acknowledged: never to be lost
    return res;
  }

  execute(command = "cat before.txt", timeout = 30): Promise<Response> {
    return this.api.raw("POST", `/api/sandbox/projects/${this.projectId}/execute`, { command, timeout });
  }

  /** An execution that ran and succeeded (REST answers 200 with status "error" for a run that failed). */
  async run(command?: string, timeout?: number): Promise<Attempt> {
    const res = await this.execute(command, timeout).catch(() => null);
    if (!res) return { ok: false, label: "no answer" };
    const body = (await res.json().catch(() => ({}))) as { status?: string; status_reason?: string | null };
    if (res.status !== 200) return { ok: false, label: String(res.status) };
    return body.status === "success" ? { ok: true, label: "200" } : { ok: false, label: `200 ${body.status}/${body.status_reason ?? "-"}` };
  }

  /** Files changed or gone, rows left running (waited for up to 60 s: the sweeper's rounds). */
  async lost(): Promise<string> {
    const missing: string[] = [];
    const files = [...this.files];
    for (let i = 0; i < files.length; i += 16) {
      await Promise.all(
        files.slice(i, i + 16).map(async ([path, content]) => {
          const r = await readFileContent(this.api, this.projectId, path);
          if (r.status !== 200 || r.content !== content) missing.push(`${path} (${r.status})`);
        }),
      );
    }
    const out = missing.length ? [`files lost: ${missing.join(", ")}`] : [];
    let open = await rowsLeftRunning(this.pgPort);
    for (let i = 0; i < 60 && open.executions + open.processes > 0; i++) {
      await sleep(1000);
      open = await rowsLeftRunning(this.pgPort);
    }
    if (open.executions || open.processes) out.push(`rows left running: ${open.executions} executions, ${open.processes} processes`);
    return out.join("; ");
  }
}

async function main() {
  const wantsDisk = faults.includes("disk-full");
  const slowRefusal = faults.includes("slow-disk") ? slowDiskRefusal() : "not asked for";
  const dataDir = mkdtempSync(join(tmpdir(), "pantheon-chaos-"));
  if (wantsDisk) {
    // A small file system of its own, so filling it is quick and touches nothing else.
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${process.env.CHAOS_DATA_MB ?? "384"}m,mode=0755`, "tmpfs", dataDir]);
  }
  const setup = await harnessSetup("chaos", BASE_ENV, dataDir);
  const server = new LiveServer(setup.port, setup.env, process.env.CHAOS_SERVER_LOG);
  const rows: Row[] = [];
  let second: { server: LiveServer; stop: () => Promise<void> } | null = null;
  const slowSide: { stop?: () => Promise<void> } = {};
  let ok = false;
  try {
    say(
      `starting the server on :${setup.port} (data ${dataDir}${wantsDisk ? " on a tmpfs" : ""}, PostgreSQL :${setup.pgPort}, scope ${setup.scope}); a first start builds Next`,
    );
    await server.start();
    const s = await Subject.open(server, setup.pgPort, setup.env);
    say("server up, project created, first execution succeeded");

    if (faults.includes("postgres")) {
      for (let i = 1; i <= repeat; i++) {
        say(`postgres kill -9 #${i}`);
        const pid = Number.parseInt(readFileSync(join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
        const killedAt = Date.now();
        process.kill(pid, "SIGKILL");
        const r = await untilSuccess(() => s.run(), killedAt);
        await s.write(`after-postgres-${i}.txt`).catch(() => {});
        rows.push({ fault: `postgres kill -9 #${i}`, ...r, lost: await s.lost() });
      }
    }

    if (faults.includes("container")) {
      say("docker kill of the sandbox containers");
      const containers = docker(["ps", "-q", "--filter", `label=pantheon.scope=${setup.scope}`, "--filter", "label=pantheon.sandbox=1"])
        .split("\n")
        .filter(Boolean);
      const killedAt = Date.now();
      if (containers.length) docker(["kill", ...containers]);
      const r = await untilSuccess(() => s.run(), killedAt);
      rows.push({ fault: `docker kill (${containers.length} container${containers.length === 1 ? "" : "s"})`, ...r, lost: await s.lost() });
    }

    if (faults.includes("docker-restart")) {
      const refusal = dockerRestartRefusal();
      if (refusal) rows.push({ fault: "docker engine restart", recoveryMs: null, failed: 0, total: 0, statuses: "", lost: "", notRun: refusal });
      else {
        say("restarting the Docker engine while an execution runs");
        const inFlight = s.run("sleep 5; cat before.txt");
        await sleep(1500);
        const stoppedAt = Date.now();
        await restartDocker();
        say(`engine back after ${seconds(Date.now() - stoppedAt)}`);
        const first = await inFlight;
        const r = await untilSuccess(() => s.run(), stoppedAt, first.ok ? [] : [first.label]);
        rows.push({ fault: "docker engine restart (mid-execution)", ...r, lost: await s.lost() });
      }
    }

    if (wantsDisk) rows.push(await diskFull(s, dataDir));

    if (faults.includes("slow-disk")) {
      if (!slowRefusal) {
        const side = await slowDiskServer(slowSide);
        rows.push(await slowDisk(side.subject, side.disk));
      } else
        rows.push({
          fault: "slow disk (fsync 200 ms, then stalled)",
          recoveryMs: null,
          failed: 0,
          total: 0,
          statuses: "",
          lost: "",
          notRun: slowRefusal ?? "",
        });
    }

    if (faults.includes("server")) {
      say("kill -9 of the server mid-execution");
      const running = s.run("sleep 30; echo late", 60);
      await sleep(3000);
      const killedAt = Date.now();
      server.killGroup("SIGKILL");
      const inFlight = await running;
      await sleep(500);
      await server.start();
      const left: string[] = [];
      // Before any new execution: the latest one is the killed one, and it must have ended (the sweeper at boot).
      const output = (await (await s.api.raw("GET", `/api/sandbox/projects/${s.projectId}/output`)).json().catch(() => ({}))) as {
        status?: string;
        status_reason?: string;
      };
      if (output.status === "running" || output.status === undefined) left.push(`the killed execution is "${output.status ?? "unknown"}"`);
      else if (output.status_reason !== "interrupted") left.push(`the killed execution ended as ${output.status}/${output.status_reason}, not interrupted`);
      const r = await untilSuccess(() => s.run(), killedAt, inFlight.ok ? [] : [inFlight.label]);
      const lost = await s.lost();
      if (lost) left.push(lost);
      // Containers of the killed instance must have been reaped by the new one at start-up.
      const instances = foreignInstances(setup.scope);
      if (instances.size > 1) left.push(`containers of ${instances.size - 1} dead instance(s) left`);
      rows.push({ fault: "server kill -9 mid-execution", ...r, lost: left.join("; ") });
    }

    if (faults.includes("db-cut")) {
      const b = await databaseBehindProxy();
      second = b;
      rows.push(await databaseCut(b.subject, b.proxy));
    }

    // Last: its acknowledged writes make every later check of what was stored longer.
    if (faults.includes("burst")) rows.push(await burst(s, setup.pgPort));
    ok = rows.every((r) => r.notRun !== undefined || (r.recoveryMs !== null && !r.lost && !/\b500×/.test(r.statuses)));
    if (!ok) {
      console.error(JSON.stringify(rows));
      printServerErrors(process.env.CHAOS_SERVER_LOG);
    }
  } catch (e) {
    console.error(`[chaos] harness failed: ${e instanceof Error ? e.message : String(e)}`);
    console.error(server.log.slice(-20).join("\n"));
  } finally {
    print(rows);
    await second?.stop();
    await slowSide.stop?.();
    await server.stop();
    const left = scopeContainers(setup.scope, true);
    if (left.length) {
      say(`removing ${left.length} container(s) the server left in scope ${setup.scope}`);
      docker(["rm", "-f", ...left]);
    }
    if (wantsDisk) sh("umount", ["-l", dataDir]);
    try {
      if (!values.keep) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      say(`could not remove ${dataDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  process.exit(ok ? 0 : 1);
}

/** Why the engine must not be restarted here (null: it may). */
function dockerRestartRefusal(): string | null {
  if (process.env.CI || process.env.CHAOS_DOCKER_RESTART === "1" || process.env.DOCKER_HOST) return null;
  return "restarting the shared Docker engine kills every container on it: set CHAOS_DOCKER_RESTART=1 (or CI, or DOCKER_HOST to a private engine)";
}

/** Stops the Docker engine and starts it again as it was started; resolves when it answers. */
async function restartDocker(): Promise<void> {
  if (sh("systemctl", ["is-active", "docker"]) === "active") {
    execFileSync("systemctl", ["restart", "docker"]);
  } else {
    const pidFile = process.env.CHAOS_DOCKERD_PIDFILE ?? "/var/run/docker.pid";
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 600 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    const log = openSync("/tmp/pantheon-chaos-dockerd.log", "a");
    spawn(argv[0] ?? "dockerd", argv.slice(1), { detached: true, stdio: ["ignore", log, log] }).unref();
    closeSync(log);
  }
  for (let i = 0; i < 600; i++) {
    if (sh("docker", ["info", "--format", "{{.ServerVersion}}"])) return;
    await sleep(100);
  }
  throw new Error("the Docker engine did not come back within 60 s");
}

/**
 * Fills the data folder to the last byte, then writes files (near the size cap) and runs code
 * until refusals come: each must be a 503 naming the folder (never a 500), and a refused write
 * must have left nothing. Then frees the space: time to the first accepted write.
 */
async function diskFull(s: Subject, dataDir: string): Promise<Row> {
  say(`filling ${dataDir}`);
  const filler = join(dataDir, "chaos-filler");
  const fd = openSync(filler, "w");
  for (const size of [4 << 20, 64 << 10, 4 << 10, 512]) {
    const chunk = Buffer.alloc(size);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
    }
  }
  closeSync(fd);
  const filledAt = Date.now();
  const problems: string[] = [];
  const refused: string[] = [];
  const seen: string[] = [];
  const big = () => `${"x".repeat(700 * 1024)}${Math.random()}`;
  for (let i = 0; i < 40 && refused.length < 3; i++) {
    const path = `full-${i}.txt`;
    const res = await s.write(path, big()).catch(() => null);
    const body = await res?.text().catch(() => "");
    if (res && res.status < 300) continue;
    seen.push(res ? String(res.status) : "no answer");
    refused.push(path);
    if (res?.status !== 503 || !body?.includes(dataDir)) problems.push(`a refused write answered ${res?.status ?? "nothing"}: ${body?.slice(0, 200)}`);
    const run = await s.run();
    if (!run.ok) {
      seen.push(run.label);
      if (run.label !== "503") problems.push(`an execution on a full disk answered ${run.label}`);
    }
  }
  if (!refused.length) problems.push("no write was refused on a full data folder");
  say(`${refused.length} write(s) refused on the full folder; freeing it`);
  rmSync(filler);
  const freedAt = Date.now();
  const r = await untilSuccess(() => attempt(s.write(`after-full.txt`, "after")), freedAt, seen);
  // A refused write stored nothing (404), never part of itself.
  for (const path of refused) {
    const back = await readFileContent(s.api, s.projectId, path);
    if (back.status !== 404 && back.content !== s.files.get(path)) problems.push(`${path} half-written (${back.status}, ${back.content.length} bytes)`);
  }
  const run = await s.run();
  if (!run.ok) problems.push(`an execution after freeing answered ${run.label}`);
  const lost = await s.lost();
  if (lost) problems.push(lost);
  say(`disk full: ${seconds(freedAt - filledAt)} full`);
  return { fault: "data folder full, then freed", ...r, lost: problems.join("; ") };
}

/**
 * The data folder's disk slow (fsync 200 ms: everything must still succeed), then stalled (fsync
 * never returns: each write must answer 503 within the server's bounds, not hang), then fast.
 */
async function slowDisk(s: Subject, disk: SlowDisk): Promise<Row> {
  const problems: string[] = [];
  const seen: string[] = [];
  say("disk slow: 200 ms per fsync");
  await disk.set("fsync=200ms");
  const slowWrite = await attempt(s.write("slow.txt", `slow ${Math.random()}`));
  const slowRun = await s.run();
  for (const a of [slowWrite, slowRun]) {
    if (a.ok) continue;
    seen.push(a.label);
    problems.push(`on a slow (not stalled) disk a request answered ${a.label}`);
  }
  say("disk stalled: fsync does not return");
  await disk.set("fsync=1h");
  const stalledAt = Date.now();
  const refused = new Map<string, string>();
  const answers = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const path = `stalled-${i}.txt`;
      const content = `stalled ${i} ${Math.random()}`;
      refused.set(path, content);
      const res = await s.write(path, content).catch(() => null);
      return { path, res, body: (await res?.text().catch(() => "")) ?? "", ms: Date.now() - stalledAt };
    }),
  );
  for (const a of answers) {
    if (a.res && a.res.status < 300) {
      refused.delete(a.path);
      problems.push(`${a.path} was acknowledged while the disk was stalled`);
      continue;
    }
    seen.push(a.res ? String(a.res.status) : "no answer");
    if (a.res?.status !== 503 || !a.res.headers.get("retry-after") || !/did not answer|did not finish|did not accept|busy/.test(a.body)) {
      problems.push(`a write on a stalled disk answered ${a.res?.status ?? "nothing"} after ${seconds(a.ms)}: ${a.body.slice(0, 200)}`);
    }
  }
  say(`stalled writes answered in ${answers.map((a) => seconds(a.ms)).join(", ")}; disk fast again`);
  await disk.set("fsync=0");
  const releasedAt = Date.now();
  const r = await untilSuccess(() => attempt(s.write("after-slow.txt", "after")), releasedAt, seen);
  // Whether a write answered "unknown" was stored depends on its COMMIT: absent or whole, never part.
  for (const [path, content] of refused) {
    const back = await readFileContent(s.api, s.projectId, path);
    if (back.status !== 404 && back.content !== content) problems.push(`${path} half-written (${back.status}, ${back.content.length} bytes)`);
  }
  const run = await s.run();
  if (!run.ok) problems.push(`an execution after the disk came back answered ${run.label}`);
  const lost = await s.lost();
  if (lost) problems.push(lost);
  return { fault: "slow disk (fsync 200 ms, then stalled)", ...r, lost: problems.join("; ") };
}

/** A TCP proxy in front of PostgreSQL that can drop every connection and refuse new ones. */
class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private cut = false;
  private server: Server | null = null;
  constructor(private readonly target: number) {}

  async listen(port: number): Promise<void> {
    this.server = createServer((client) => {
      if (this.cut) return void client.destroy();
      const upstream = createConnection({ host: "127.0.0.1", port: this.target });
      for (const sock of [client, upstream]) {
        this.sockets.add(sock);
        sock.on("close", () => this.sockets.delete(sock));
        sock.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
  }

  drop(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A second server whose DATABASE_URL is the proxy in front of a PostgreSQL this harness runs. */
/**
 * A server of its own whose data folder is the slow view: on the main server's folder, every
 * PostgreSQL crash recovery (which fsyncs the whole cluster) would go through FUSE and slow the
 * other faults' figures. `side.stop` is set before the server starts, so a failed start is
 * cleaned up too.
 */
async function slowDiskServer(side: { stop?: () => Promise<void> }) {
  const source = mkdtempSync(join(tmpdir(), "pantheon-chaos-s-"));
  const disk = await SlowDisk.mount(source);
  const setup = await harnessSetup("chaos-s", { ...BASE_ENV, DATABASE_STATEMENT_TIMEOUT_MS: "5000" }, disk.mountpoint, 4);
  const server = new LiveServer(setup.port, setup.env);
  side.stop = async () => {
    await server.stop();
    const left = scopeContainers(setup.scope, true);
    if (left.length) docker(["rm", "-f", ...left]);
    await disk.unmount();
    if (!values.keep) rmSync(source, { recursive: true, force: true, maxRetries: 5 });
  };
  say(`starting a server on :${setup.port} whose data folder is seen through slowfs (${disk.mountpoint})`);
  await server.start();
  return { disk, subject: await Subject.open(server, setup.pgPort, setup.env) };
}

async function databaseBehindProxy() {
  const dir = mkdtempSync(join(tmpdir(), "pantheon-chaos-b-"));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach its folder
  const pgPort = process.env.HARNESS_PG_PORT ? Number(process.env.HARNESS_PG_PORT) + 2 : await freePort();
  say(`starting a PostgreSQL on :${pgPort} and a proxy in front of it`);
  const db = await startEmbeddedPostgres({ dataDir: join(dir, "postgres"), port: pgPort });
  const proxyPort = process.env.HARNESS_PG_PORT ? Number(process.env.HARNESS_PG_PORT) + 3 : await freePort();
  const proxy = new CuttableProxy(pgPort);
  await proxy.listen(proxyPort);
  const setup = await harnessSetup("chaos-b", { ...BASE_ENV, DATABASE_URL: embeddedPostgresUrl(proxyPort) }, dir, 1);
  setup.env.DATABASE_URL = embeddedPostgresUrl(proxyPort); // harnessSetup clears it for the embedded case
  const server = new LiveServer(setup.port, setup.env);
  say(`starting a second server on :${setup.port} with DATABASE_URL through the proxy (:${proxyPort})`);
  await server.start();
  const subject = await Subject.open(server, pgPort, setup.env);
  return {
    server,
    subject,
    proxy,
    async stop() {
      await server.stop();
      await proxy.close();
      await db.stop().catch(() => {});
      const left = scopeContainers(setup.scope, true);
      if (left.length) docker(["rm", "-f", ...left]);
      if (!values.keep) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * BURST requests at once on one project (reads, writes of new files, executions): each must get a
 * clear answer (2xx, 429, or 503 with Retry-After; never another 5xx, never none), the server must
 * stay up, and every write it acknowledged must read back whole. Recovery: from the burst's last
 * answer to the first successful execution.
 */
async function burst(s: Subject, pgPort: number): Promise<Row> {
  say(`${BURST} requests at once (6 reads : 3 writes : 1 execution)`);
  const pid = s.server.serverPid();
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: BURST }, async (_, i): Promise<string> => {
      const kind = i % 10 < 6 ? "read" : i % 10 < 9 ? "write" : "execute";
      const project = `/api/sandbox/projects/${s.projectId}`;
      const res = await burstRequest(
        s.api,
        kind === "read" ? "GET" : "POST",
        kind === "read" ? `${project}/files/content?path=before.txt` : kind === "write" ? `${project}/files` : `${project}/execute`,
        kind === "read" ? undefined : kind === "write" ? { path: `burst/${i}.txt`, content: `burst ${i}` } : { command: `echo ${i}`, timeout: 30 },
      );
      if ("error" in res) return `${kind} no answer (${res.error})`;
      if (kind === "write" && res.status < 300) s.files.set(`burst/${i}.txt`, `burst ${i}`);
      const unclear = res.status >= 500 && !(res.status === 503 && res.retryAfter);
      return `${res.status}${unclear ? " unclear" : ""}${res.reason ? ` (${res.reason})` : ""}`;
    }),
  );
  const endedAt = Date.now();
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  const failed = answers.filter((a) => !a.startsWith("2"));
  say(`burst answered in ${seconds(endedAt - started)}: ${[...counts].map(([k, n]) => `${k}×${n}`).join(", ")}`);
  const problems = failed.filter((a) => a.includes("no answer") || a.includes("unclear"));
  const summary = problems.length ? [`${problems.length} request(s) without a clear answer`] : [];
  if (pid !== null && !existsSync(`/proc/${pid}`)) summary.push("the server died");
  const r = await untilSuccess(() => s.run(), endedAt);
  const lost = await s.lost();
  if (lost) summary.push(lost);
  const open = await rowsLeftRunning(pgPort);
  if (open.executions || open.processes) summary.push(`rows left running: ${open.executions} executions, ${open.processes} processes`);
  return {
    fault: `burst of ${BURST} requests`,
    recoveryMs: r.recoveryMs,
    failed: failed.length,
    total: BURST,
    statuses: [...counts]
      .filter(([k]) => !k.startsWith("2"))
      .map(([k, n]) => `${k}×${n}`)
      .join(" "),
    lost: summary.join("; "),
  };
}

/**
 * One request on a connection of its own through node:http, which (unlike fetch's 10 s) leaves
 * the connect to the kernel's SYN retries: the harness shares two cores with the server, and its
 * own event loop, busy with 10,000 sockets, must not be what times a connection out.
 */
function burstRequest(
  api: RestClient,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; retryAfter: string | null; reason: string } | { error: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = httpRequest(
      `${api.base}${path}`,
      {
        method,
        agent: false,
        timeout: 300_000,
        headers: { authorization: api.authorization, ...(payload === undefined ? {} : { "content-type": "application/json" }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"] ?? null,
            // The refusal's reason, numbers blanked, so the table says what each kind of answer was.
            reason: (res.statusCode ?? 0) < 300 ? "" : (/"message":"([^"]{0,60})/.exec(Buffer.concat(chunks).toString())?.[1] ?? "").replace(/\d+/g, "N"),
          }),
        );
        res.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.name }));
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("no answer in 300 s"), { code: "TIMEOUT" })));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.name }));
    req.end(payload);
  });
}

/** The network to the database cut for DB_CUT_MS while an execution runs, then restored. */
async function databaseCut(s: Subject, proxy: CuttableProxy): Promise<Row> {
  say(`cutting the network to the database for ${DB_CUT_MS / 1000} s mid-execution`);
  type Answer = { status: number | "no answer"; body: { status?: string; output?: string } };
  const inFlight = s.execute("sleep 3; cat before.txt").then(
    async (res): Promise<Answer> => ({ status: res.status, body: (await res.json().catch(() => ({}))) as Answer["body"] }),
    (): Answer => ({ status: "no answer", body: {} }),
  );
  await sleep(1000);
  const cutAt = Date.now();
  proxy.drop();
  const restored = sleep(DB_CUT_MS).then(() => proxy.restore());
  // The client keeps calling through the cut; recovery counts from the moment the network is back.
  const during = await untilSuccess(
    () => s.run(),
    cutAt,
    [],
    () => Date.now() - cutAt < DB_CUT_MS,
  );
  await restored;
  const restoredAt = cutAt + DB_CUT_MS;
  const first = await inFlight;
  const r = await untilSuccess(() => s.run(), restoredAt, during.seen);
  const problems: string[] = [];
  // The run in flight finished during the cut: its result waited for the database, and the client got it.
  if (first.status !== 200 || first.body.output !== s.files.get("before.txt"))
    problems.push(`the execution in flight answered ${first.status} ${first.body.status ?? ""} (its result must wait for the database)`);
  const lost = await s.lost();
  if (lost) problems.push(lost);
  return { fault: `db network cut ${DB_CUT_MS / 1000} s (proxy), mid-execution`, ...r, lost: problems.join("; ") };
}

/** Calls `call` every 200 ms from `since` until it succeeds (or `keepGoing` says stop); counts the failures. */
async function untilSuccess(
  call: () => Promise<Attempt>,
  since: number,
  earlier: string[] = [],
  keepGoing: () => boolean = () => true,
): Promise<{ recoveryMs: number | null; failed: number; total: number; statuses: string; seen: string[] }> {
  const seen = [...earlier];
  const result = (recoveryMs: number | null) => {
    const counts = new Map<string, number>();
    for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
    return {
      recoveryMs,
      failed: seen.length,
      total: seen.length + (recoveryMs === null ? 0 : 1),
      statuses: [...counts].map(([s, n]) => `${s}×${n}`).join(" "),
      seen,
    };
  };
  while (Date.now() - since < RECOVERY_LIMIT_MS && keepGoing()) {
    const a = await call();
    if (a.ok) return result(Date.now() - since);
    seen.push(a.label);
    await sleep(200);
  }
  return result(null);
}

function print(rows: Row[]) {
  const table = [["fault", "time to recovery", "requests failed", "lost"]];
  for (const r of rows) {
    if (r.notRun) {
      table.push([r.fault, "NOT RUN", "-", r.notRun]);
      continue;
    }
    const failed = `${r.failed}/${r.total}${r.statuses ? ` (${r.statuses})` : ""}`;
    table.push([r.fault, r.recoveryMs === null ? "NOT RECOVERED" : seconds(r.recoveryMs), failed, r.lost || "nothing"]);
  }
  printTable(table);
  const pg = rows.filter((r) => r.fault.startsWith("postgres") && r.recoveryMs !== null).map((r) => r.recoveryMs as number);
  if (pg.length) {
    pg.sort((a, b) => a - b);
    const median = pg[Math.floor(pg.length / 2)] ?? 0;
    console.log(`postgres kill -9 → first successful execution: median ${seconds(median)} over ${pg.length} kill(s): ${pg.map(seconds).join(", ")}`);
  }
  console.log(
    "time to recovery: from the fault (db network cut: from the network's return, disk full: from freeing the space, slow disk: from its return to speed) to the first answer that succeeded",
  );
}

/** The server's own error lines (level "error", or pino's 50+), the last 20: what a 500 was, in CI's output. */
function printServerErrors(logFile: string | undefined): void {
  if (!logFile || !existsSync(logFile)) return;
  const errors = readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => /"level":("error"|(5|6)\d)/.test(line));
  console.error(`[chaos] the server's error lines (${errors.length}, the last 20; all in ${logFile}):`);
  for (const line of errors.slice(-20)) console.error(line.slice(0, 2000));
}

main().catch((e: unknown) => {
  console.error("[chaos] harness crashed:", e);
  process.exit(2);
});

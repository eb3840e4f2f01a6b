// npm run chaos [-- --short] [--faults postgres,container,server] [--repeat N]
//
// Fault injection against a live server (issue 12 point 5): starts the real server as e2e does
// (scripts/start.mjs: next build when the sources changed, then server/main.ts) on a free port,
// with its own data folder, PostgreSQL port and container scope; creates a user and API key
// (admin CLI, beside the server) and a project with a file through the REST API; then injects
// each fault while a client keeps calling, and prints: fault, time to recovery, requests failed
// during it, anything lost (must be nothing). Exit code 1 when something was lost or a fault
// did not recover. --short: one round of each fault (CI); default: --repeat 3 for PostgreSQL.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    faults: { type: "string", default: "postgres,container,server" },
    repeat: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const faults = values.faults.split(",").map((s) => s.trim());
const repeat = Number(values.repeat ?? (values.short ? 1 : 3));
const RECOVERY_LIMIT_MS = 60_000;
const say = (line: string) => console.log(`[chaos] ${line}`);

interface Row {
  fault: string;
  recoveryMs: number | null;
  failed: number;
  total: number;
  /** Status of each failed request ("503×12"): a database outage must answer 503, never 500. */
  statuses: string;
  lost: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class LiveServer {
  child: ChildProcess | null = null;
  log: string[] = [];
  constructor(
    readonly port: number,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 600_000): Promise<void> {
    // Its own process group, so "kill -9 of the whole server" reaches start.mjs, the server and
    // the embedded PostgreSQL it started, as a crash of the machine's service would.
    this.child = spawn(process.execPath, ["scripts/start.mjs"], { cwd: root, env: this.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) this.log.push(line);
      if (this.log.length > 400) this.log.splice(0, this.log.length - 400);
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`the server exited (${this.child.exitCode}):\n${this.log.slice(-30).join("\n")}`);
      const res = await fetch(`${this.base}/api/health`).catch(() => null);
      if (res?.status === 200) return;
      await sleep(500);
    }
    throw new Error(`the server did not become healthy within ${timeoutMs / 1000} s:\n${this.log.slice(-30).join("\n")}`);
  }

  killGroup(signal: NodeJS.Signals): void {
    if (this.child?.pid) process.kill(-this.child.pid, signal);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child?.once("exit", r));
    this.killGroup("SIGTERM");
    await Promise.race([exited, sleep(40_000)]);
    if (this.child.exitCode === null) this.killGroup("SIGKILL");
  }
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "pantheon-chaos-"));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach its folder
  const port = Number(process.env.CHAOS_PORT ?? (await freePort()));
  const pgPort = await freePort();
  const scope = `chaos-${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    PANTHEON_DATA_DIR: dataDir,
    PANTHEON_PG_PORT: String(pgPort),
    SANDBOX_CONTAINER_SCOPE: scope,
    SANDBOX_POOL_SIZE: "1",
    SANDBOX_LOG_LEVEL: "warn",
    SANDBOX_RATE_CREATE_PER_MINUTE: "1000",
    SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE: "100000",
  };
  delete env.DATABASE_URL; // the embedded PostgreSQL is the one being killed
  const server = new LiveServer(port, env);
  const rows: Row[] = [];
  let ok = false;
  try {
    say(`starting the server on :${port} (data ${dataDir}, PostgreSQL :${pgPort}, scope ${scope}); a first start builds Next`);
    await server.start();
    const key = createKey(env);
    const api = client(server, key);
    const project = (await api.json("POST", "/api/sandbox/projects", { name: "chaos" })) as { id: number };
    const files = new Map<string, string>();
    const write = async (path: string) => {
      const content = `written ${new Date().toISOString()} ${Math.random()}`;
      await api.json("POST", `/api/sandbox/projects/${project.id}/files`, { path, content });
      files.set(path, content); // acknowledged: from here on it must never be lost
    };
    await write("before.txt");
    const execute = () => api.raw("POST", `/api/sandbox/projects/${project.id}/execute`, { command: "cat before.txt", timeout: 30 });
    const first = await execute();
    if (first.status !== 200) throw new Error(`the first execution failed: ${first.status} ${await first.text()}`);
    say("server up, project created, first execution succeeded");

    const lostFiles = async () => {
      const missing: string[] = [];
      for (const [path, content] of files) {
        const res = await api.raw("GET", `/api/sandbox/projects/${project.id}/files/content?path=${encodeURIComponent(path)}`);
        // JSON {content} or the raw bytes, depending on the Accept the route infers.
        const text = await res.text();
        const body = res.headers.get("content-type")?.includes("json") ? ((JSON.parse(text) as { content?: string }).content ?? "") : text;
        if (res.status !== 200 || body !== content) missing.push(`${path} (${res.status})`);
      }
      return missing.length ? `files lost: ${missing.join(", ")}` : "";
    };

    if (faults.includes("postgres")) {
      for (let i = 1; i <= repeat; i++) {
        const pid = Number.parseInt(readFileSync(join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
        const killedAt = Date.now();
        process.kill(pid, "SIGKILL");
        const r = await untilSuccess(execute, killedAt);
        await write(`after-postgres-${i}.txt`).catch(() => {});
        rows.push({ fault: `postgres kill -9 #${i}`, ...r, lost: await lostFiles() });
      }
    }

    if (faults.includes("container")) {
      const containers = docker(["ps", "-q", "--filter", `label=pantheon.scope=${scope}`, "--filter", "label=pantheon.sandbox=1"])
        .split("\n")
        .filter(Boolean);
      const killedAt = Date.now();
      if (containers.length) docker(["kill", ...containers]);
      const r = await untilSuccess(execute, killedAt);
      rows.push({ fault: `docker kill (${containers.length} container${containers.length === 1 ? "" : "s"})`, ...r, lost: await lostFiles() });
    }

    if (faults.includes("server")) {
      // kill -9 of the whole server while an execution runs (a 30 s sleep), then a plain restart.
      const running = api.raw("POST", `/api/sandbox/projects/${project.id}/execute`, { command: "sleep 30; echo late", timeout: 60 }).then(
        (res) => res.status,
        () => "no answer" as const,
      );
      await sleep(3000);
      const killedAt = Date.now();
      server.killGroup("SIGKILL");
      const inFlight = await running;
      await sleep(500);
      await server.start();
      const left: string[] = [];
      // Before any new execution: the latest one is the killed one, and it must have ended.
      const output = (await (await api.raw("GET", `/api/sandbox/projects/${project.id}/output`)).json().catch(() => ({}))) as { status?: string };
      if (output.status === "running" || output.status === undefined) left.push(`the killed execution is "${output.status ?? "unknown"}"`);
      // The execution in flight when the server died counts as a failed request.
      const r = await untilSuccess(execute, killedAt, inFlight === 200 ? [] : [inFlight]);
      const lost = await lostFiles();
      if (lost) left.push(lost);
      // Containers of the killed instance must have been reaped by the new one at start-up.
      const instances = new Set(
        docker(["ps", "-a", "--filter", `label=pantheon.scope=${scope}`, "--format", '{{.Label "pantheon.instance"}}'])
          .split("\n")
          .filter(Boolean),
      );
      if (instances.size > 1) left.push(`containers of ${instances.size - 1} dead instance(s) left`);
      rows.push({ fault: "server kill -9 mid-execution", ...r, lost: left.join("; ") });
    }
    ok = rows.every((r) => r.recoveryMs !== null && !r.lost && !/\b500×/.test(r.statuses));
    if (!ok) console.error(JSON.stringify(rows));
  } catch (e) {
    console.error(`[chaos] harness failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    print(rows);
    await server.stop();
    const left = docker(["ps", "-aq", "--filter", `label=pantheon.scope=${scope}`])
      .split("\n")
      .filter(Boolean);
    if (left.length) {
      say(`removing ${left.length} container(s) the server left in scope ${scope}`);
      docker(["rm", "-f", ...left]);
    }
    try {
      if (!values.keep) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      say(`could not remove ${dataDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  process.exit(ok ? 0 : 1);
}

/** Calls `call` every 200 ms from `since` until it answers 200; counts the failures. */
async function untilSuccess(
  call: () => Promise<Response>,
  since: number,
  earlier: (number | "no answer")[] = [],
): Promise<{ recoveryMs: number | null; failed: number; total: number; statuses: string }> {
  const seen = [...earlier];
  const result = (recoveryMs: number | null) => {
    const counts = new Map<string, number>();
    for (const s of seen) counts.set(String(s), (counts.get(String(s)) ?? 0) + 1);
    return {
      recoveryMs,
      failed: seen.length,
      total: seen.length + (recoveryMs === null ? 0 : 1),
      statuses: [...counts].map(([s, n]) => `${s}×${n}`).join(" "),
    };
  };
  while (Date.now() - since < RECOVERY_LIMIT_MS) {
    const res = await call().catch(() => null);
    if (res?.status === 200) return result(Date.now() - since);
    seen.push(res?.status ?? "no answer");
    await res?.text().catch(() => "");
    await sleep(200);
  }
  return result(null);
}

function createKey(env: NodeJS.ProcessEnv): string {
  const email = `chaos-${Date.now()}@example.test`;
  const run = (args: string[]) => execFileSync("npx", ["tsx", "server/cli/admin.ts", ...args], { cwd: root, env, encoding: "utf8" });
  run(["create-user", "--email", email, "--password", "chaos harness password 1"]);
  const out = run(["create-api-key", "--email", email, "--name", "chaos"]).trim().split("\n");
  return out[out.length - 1] ?? "";
}

function client(server: LiveServer, key: string) {
  const raw = (method: string, path: string, body?: unknown) =>
    fetch(`${server.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  return {
    raw,
    async json(method: string, path: string, body?: unknown): Promise<unknown> {
      const res = await raw(method, path, body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
  };
}

function docker(args: string[]): string {
  try {
    return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function print(rows: Row[]) {
  const table = [["fault", "time to recovery", "requests failed", "lost"]];
  for (const r of rows) {
    const failed = `${r.failed}/${r.total}${r.statuses ? ` (${r.statuses})` : ""}`;
    table.push([r.fault, r.recoveryMs === null ? "NOT RECOVERED" : `${(r.recoveryMs / 1000).toFixed(1)} s`, failed, r.lost || "nothing"]);
  }
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  |  "));
  const pg = rows.filter((r) => r.fault.startsWith("postgres") && r.recoveryMs !== null).map((r) => r.recoveryMs as number);
  if (pg.length) {
    pg.sort((a, b) => a - b);
    const median = pg[Math.floor(pg.length / 2)] ?? 0;
    console.log(
      `postgres kill -9 → first successful execution: median ${(median / 1000).toFixed(1)} s over ${pg.length} kill(s): ${pg.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s`,
    );
  }
}

main().catch((e: unknown) => {
  console.error("[chaos] harness crashed:", e);
  process.exit(2);
});

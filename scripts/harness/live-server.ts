// What the chaos and load harnesses share: a real server started as `npm start` starts it (own
// port, data folder, PostgreSQL port and container scope), an API key made with the admin CLI,
// a REST client, and what they read from outside (docker, the server's RSS, the database).
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { appendFileSync, chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const execFileAsync = promisify(execFile);
export const root = new URL("../..", import.meta.url).pathname;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

export interface HarnessSetup {
  dataDir: string;
  port: number;
  pgPort: number;
  scope: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A fresh data folder (or `dataDir`), ports (HARNESS_PORT and HARNESS_PG_PORT, else free ones), a
 * scope of its own and the env a server starts with.
 */
export async function harnessSetup(name: string, extra: Record<string, string>, dataDir?: string, portOffset = 0): Promise<HarnessSetup> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), `pantheon-${name}-`));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach its folder
  const pinned = (v: string | undefined) => (v ? Number(v) + portOffset : freePort());
  const port = await pinned(process.env.HARNESS_PORT ?? process.env.CHAOS_PORT);
  const pgPort = await pinned(process.env.HARNESS_PG_PORT);
  const scope = `${name}-${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    PANTHEON_DATA_DIR: dir,
    PANTHEON_PG_PORT: String(pgPort),
    SANDBOX_CONTAINER_SCOPE: scope,
    SANDBOX_LOG_LEVEL: "warn",
    ...extra,
  };
  delete env.DATABASE_URL; // the embedded PostgreSQL in the harness's own folder
  return { dataDir: dir, port, pgPort, scope, env };
}

export class LiveServer {
  child: ChildProcess | null = null;
  log: string[] = [];
  constructor(
    readonly port: number,
    readonly env: NodeJS.ProcessEnv,
    /** Every line the server prints is also appended here (the ring in `log` keeps only 400). */
    readonly logFile?: string,
    /** A command the server is started through (e.g. a UTS namespace with another host name). */
    readonly launcher: string[] = [],
  ) {}

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 900_000): Promise<void> {
    // Its own process group, so "kill -9 of the whole server" reaches start.mjs, the server and
    // the embedded PostgreSQL it started, as a crash of the machine's service would.
    const [command, ...args] = [...this.launcher, process.execPath, "scripts/start.mjs"];
    this.child = spawn(command ?? process.execPath, args, { cwd: root, env: this.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      if (this.logFile) appendFileSync(this.logFile, chunk);
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

  /** The pid of server/main.ts (a child of start.mjs in the group), for its RSS. */
  serverPid(): number | null {
    if (!this.child?.pid) return null;
    const out = sh("ps", ["-o", "pid=,args=", "-g", String(this.child.pid)]);
    for (const line of out.split("\n")) {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (m?.[2]?.includes("server/main.ts")) return Number(m[1]);
    }
    return null;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child?.once("exit", r));
    this.killGroup("SIGTERM");
    await Promise.race([exited, sleep(40_000)]);
    if (this.child.exitCode === null) this.killGroup("SIGKILL");
  }
}

/** Resident set size of `pid` in MiB (null: gone). */
export function rssMb(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Host memory in use (MemTotal − MemAvailable), MiB. */
export function hostUsedMb(): number {
  const info = readFileSync("/proc/meminfo", "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(info)?.[1] ?? 0);
  return (kb("MemTotal") - kb("MemAvailable")) / 1024;
}

/** Asynchronous: the chaos harness's database proxy lives in this process and must keep accepting. */
export async function createKey(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const email = `${name}-${Date.now()}@example.test`;
  const run = async (args: string[]) => (await execFileAsync("npx", ["tsx", "server/cli/admin.ts", ...args], { cwd: root, env, encoding: "utf8" })).stdout;
  await run(["create-user", "--email", email, "--password", `${name} harness password 1`]);
  const out = (await run(["create-api-key", "--email", email, "--name", name])).trim().split("\n");
  return out[out.length - 1] ?? "";
}

export interface RestClient {
  /** The server's base URL and the Authorization header, for callers that need their own transport. */
  base: string;
  authorization: string;
  raw(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<Response>;
  json(method: string, path: string, body?: unknown): Promise<unknown>;
}

export function restClient(server: LiveServer, key: string): RestClient {
  const raw = (method: string, path: string, body?: unknown, timeoutMs = 60_000) =>
    fetch(`${server.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  return {
    base: server.base,
    authorization: `Bearer ${key}`,
    raw,
    async json(method, path, body) {
      const res = await raw(method, path, body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as unknown;
    },
  };
}

/** The body of a file as the REST API returns it (JSON {content} or the raw bytes). */
export async function readFileContent(api: RestClient, projectId: number, path: string): Promise<{ status: number; content: string }> {
  const res = await api.raw("GET", `/api/sandbox/projects/${projectId}/files/content?path=${encodeURIComponent(path)}`);
  const text = await res.text();
  const content = res.status === 200 && res.headers.get("content-type")?.includes("json") ? ((JSON.parse(text) as { content?: string }).content ?? "") : text;
  return { status: res.status, content };
}

export function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

export const docker = (args: string[]) => sh("docker", args);

export function scopeContainers(scope: string, all = false): string[] {
  return docker(["ps", ...(all ? ["-a"] : []), "-q", "--filter", `label=pantheon.scope=${scope}`])
    .split("\n")
    .filter(Boolean);
}

/** Containers of the scope whose instance label is not `liveInstance` (orphans of a dead server). */
export function foreignInstances(scope: string): Set<string> {
  return new Set(
    docker(["ps", "-a", "--filter", `label=pantheon.scope=${scope}`, "--format", '{{.Label "pantheon.instance"}}'])
      .split("\n")
      .filter(Boolean),
  );
}

/** Rows no final state reached: executions without finishedAt, processes still "running". */
export async function rowsLeftRunning(pgPort: number): Promise<{ executions: number; processes: number }> {
  const db = new pg.Client({ connectionString: `postgresql://pantheon:pantheon-local@127.0.0.1:${pgPort}/pantheon` });
  await db.connect();
  try {
    const e = await db.query<{ n: string }>("SELECT count(*) AS n FROM sandbox_executions WHERE finished_at IS NULL");
    const p = await db.query<{ n: string }>("SELECT count(*) AS n FROM sandbox_processes WHERE status = 'running'");
    return { executions: Number(e.rows[0]?.n ?? 0), processes: Number(p.rows[0]?.n ?? 0) };
  } finally {
    await db.end();
  }
}

/** Milliseconds → "1.2 s". */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  |  "));
}

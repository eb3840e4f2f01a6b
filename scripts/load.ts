// npm run load [-- --projects 50] [--minutes 2] [--think-ms 0] [--server-log FILE]
//
// Load against a live server (issue 12 point 6): starts the real server (scripts/start.mjs, own
// port, data folder, PostgreSQL and container scope) with the seed's limits raised for the run,
// creates N projects (default 50) for one API key, and has one client per project loop for the
// set time: write a file (POST …/files), execute a command that prints it (POST …/execute), read it
// back (GET …/files/content). Every answer is checked: an execution that does not print what was
// written, or a read that does not return it, counts as lost. Prints throughput, p50/p95/p99 by
// operation, errors by kind, host memory per live sandbox (the containers' own cgroup figure and
// the host's growth divided by live sandboxes), the server's RSS before and after (and per minute
// for a soak), then, after the clients stop: rows left running (must be 0) and, after the
// server's shutdown, containers left behind (must be 0). Exit 1 when anything was lost or left.
// Errors are counted by operation, status, code and the answer's message (numbers and ids
// blanked), so a figure like "503 ×187" says what it was; --server-log keeps every server line.
// Numbers are printed, never asserted on timing: the machine is shared.
import { readFileSync } from "node:fs";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  createKey,
  docker,
  harnessSetup,
  hostUsedMb,
  LiveServer,
  printTable,
  readFileContent,
  restClient,
  rowsLeftRunning,
  rssMb,
  scopeContainers,
  sleep,
} from "./harness/live-server";

const { values } = parseArgs({
  options: {
    projects: { type: "string", default: "50" },
    minutes: { type: "string", default: "2" },
    "think-ms": { type: "string", default: "0" },
    keep: { type: "boolean", default: false },
    "server-log": { type: "string" },
  },
});
const projects = Number(values.projects);
const durationMs = Number(values.minutes) * 60_000;
const thinkMs = Number(values["think-ms"]);
const say = (line: string) => console.log(`[load] ${new Date().toISOString().slice(11, 19)} ${line}`);

type Op = "write" | "execute" | "read";
const latencies: Record<Op, number[]> = { write: [], execute: [], read: [] };
const errors = new Map<string, number>();
const countError = (kind: string) => errors.set(kind, (errors.get(kind) ?? 0) + 1);
let lost = 0;

async function timed<T>(op: Op, call: () => Promise<T>): Promise<T | null> {
  const started = performance.now();
  try {
    const value = await call();
    latencies[op].push(performance.now() - started);
    return value;
  } catch (e) {
    countError(
      `${op}: ${e instanceof HttpError ? `HTTP ${e.status}${e.code ? ` ${e.code}` : ""}${e.reason ? ` "${e.reason}"` : ""}` : e instanceof Error ? e.name : "error"}`,
    );
    return null;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** The answer's message with numbers and ids blanked, so kinds group. */
    readonly reason = "",
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

/** A non-2xx answer as an HttpError carrying its code and (blanked) message. */
function httpError(status: number, text: string): HttpError {
  let code = "";
  let message = "";
  try {
    const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    code = error?.code ?? "";
    message = error?.message ?? "";
  } catch {
    message = text.slice(0, 120);
  }
  return new HttpError(
    status,
    code,
    message
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, "<id>")
      .replace(/\d+(\.\d+)?/g, "N")
      .slice(0, 160),
  );
}

async function ok(res: Response): Promise<unknown> {
  const text = await res.text();
  if (res.status >= 300) throw httpError(res.status, text);
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Memory the scope's live containers use (cgroup v1 or v2), and how many there are. */
function sandboxMemory(scope: string): { live: number; cgroupMb: number } {
  const ids = docker(["ps", "-q", "--no-trunc", "--filter", `label=pantheon.scope=${scope}`, "--filter", "label=pantheon.sandbox=1"])
    .split("\n")
    .filter(Boolean);
  let bytes = 0;
  for (const id of ids) {
    for (const path of [`/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`]) {
      try {
        bytes += Number(readFileSync(path, "utf8").trim());
        break;
      } catch {
        // the other cgroup layout, or the container just went
      }
    }
  }
  return { live: ids.length, cgroupMb: bytes / 1048576 };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const setup = await harnessSetup("load", {
    // The seed's limits, raised for the run: every project holds a sandbox and runs flat out.
    SANDBOX_MAX_CONCURRENT: String(Math.max(50, projects + 10)),
    SANDBOX_ALERT_MAX_CONCURRENT: String(Math.max(50, projects + 10)),
    SANDBOX_RATE_SANDBOXES_PER_USER: String(projects + 10),
    SANDBOX_RATE_CREATE_PER_MINUTE: "100000",
    SANDBOX_RATE_CREATE_PER_HOUR: "1000000",
    SANDBOX_RATE_CREATE_PER_USER_PER_MINUTE: "100000",
    SANDBOX_RATE_CREATE_PER_USER_PER_HOUR: "1000000",
    SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE: "100000",
    SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE: "100000",
    SANDBOX_POOL_SIZE: process.env.SANDBOX_POOL_SIZE ?? "10",
  });
  const server = new LiveServer(setup.port, setup.env, values["server-log"]);
  let failed = false;
  const hostBaseline = hostUsedMb();
  try {
    say(`starting the server on :${setup.port} (data ${setup.dataDir}, scope ${setup.scope}); a first start builds Next`);
    await server.start();
    const api = restClient(server, await createKey(setup.env, "load"));
    const ids: number[] = [];
    for (let i = 0; i < projects; i++) {
      const p = (await ok(await api.raw("POST", "/api/sandbox/projects", { name: `load ${i}` }))) as { id: number };
      ids.push(p.id);
    }
    say(`${projects} projects created; warming each one's sandbox`);
    await Promise.all(
      ids.map((id) =>
        api
          .raw("POST", `/api/sandbox/projects/${id}/execute`, { command: "true" }, 300_000)
          .then((r) => r.text())
          .catch(() => ""),
      ),
    );
    const pid = server.serverPid();
    await sleep(2000);
    const rssBefore = rssMb(pid);
    const hostBefore = hostUsedMb();
    say(`server pid ${pid}, RSS ${rssBefore?.toFixed(0)} MiB; running ${projects} clients for ${values.minutes} min`);

    const memSamples: { live: number; cgroupMb: number; hostMb: number }[] = [];
    const rssSeries: { minute: number; rss: number | null }[] = [];
    const started = Date.now();
    const endAt = started + durationMs;
    const sampler = setInterval(() => {
      const m = sandboxMemory(setup.scope);
      if (m.live) memSamples.push({ ...m, hostMb: hostUsedMb() - hostBaseline });
    }, 10_000);
    const minuteTicker = setInterval(() => {
      const minute = Math.round((Date.now() - started) / 60_000);
      const rss = rssMb(pid);
      rssSeries.push({ minute, rss });
      const done = latencies.execute.length;
      say(
        `minute ${minute}: server RSS ${rss?.toFixed(0)} MiB, ${done} executions so far, ${[...errors.values()].reduce((a, b) => a + b, 0)} errors, lost ${lost}`,
      );
    }, 60_000);

    const worker = async (projectId: number, n: number) => {
      let round = 0;
      while (Date.now() < endAt) {
        const content = `load ${projectId} round ${++round} ${Math.random().toString(36).slice(2)}`;
        const wrote = await timed("write", async () => ok(await api.raw("POST", `/api/sandbox/projects/${projectId}/files`, { path: "load.txt", content })));
        const run = (await timed("execute", async () =>
          ok(
            await api.raw(
              "POST",
              `/api/sandbox/projects/${projectId}/execute`,
              { command: round % 2 ? "cat load.txt" : "node -e \"process.stdout.write(require('fs').readFileSync('load.txt','utf8'))\"", timeout: 60 },
              120_000,
            ),
          ),
        )) as { status?: string; output?: string } | null;
        if (run && run.status !== "success") countError(`execute: status ${run.status}`);
        else if (run && wrote && run.output !== content) {
          lost++;
          countError("execute: did not print the file just written");
          // What it printed instead tells a stale file from lost output.
          say(`project ${projectId} round ${round}: wrote ${JSON.stringify(content)}, the run printed ${JSON.stringify((run.output ?? "").slice(0, 200))}`);
        }
        const read = await timed("read", async () => {
          const r = await readFileContent(api, projectId, "load.txt");
          if (r.status !== 200) throw httpError(r.status, r.content);
          return r.content;
        });
        if (read !== null && wrote && read !== content) {
          lost++;
          countError("read: not the content acknowledged");
          say(`project ${projectId} round ${round}: wrote ${JSON.stringify(content)}, read back ${JSON.stringify(read.slice(0, 200))}`);
        }
        if (thinkMs) await sleep(thinkMs);
      }
      return n;
    };
    await Promise.all(ids.map((id, n) => worker(id, n)));
    const elapsed = Date.now() - started;
    clearInterval(sampler);
    clearInterval(minuteTicker);
    await sleep(5000);
    const rssAfter = rssMb(pid);
    const hostAfter = hostUsedMb();

    const left = await rowsLeftRunning(setup.pgPort);
    const totalOps = latencies.write.length + latencies.execute.length + latencies.read.length;
    console.log(`\n${projects} projects, ${(elapsed / 60_000).toFixed(1)} min, runtime ${setup.env.SANDBOX_RUNTIME ?? "runc"}`);
    console.log(
      `throughput: ${(latencies.execute.length / (elapsed / 1000)).toFixed(2)} executions/s, ${(totalOps / (elapsed / 1000)).toFixed(2)} requests/s (${totalOps} ok)`,
    );
    const table = [["operation", "ok", "p50", "p95", "p99", "max"]];
    for (const op of ["write", "execute", "read"] as const) {
      const s = [...latencies[op]].sort((a, b) => a - b);
      const f = (v: number) => (Number.isNaN(v) ? "-" : `${Math.round(v)} ms`);
      table.push([op, String(s.length), f(percentile(s, 50)), f(percentile(s, 95)), f(percentile(s, 99)), f(s[s.length - 1] ?? Number.NaN)]);
    }
    printTable(table);
    console.log(`errors by kind: ${errors.size ? [...errors].map(([k, n]) => `${k} ×${n}`).join("; ") : "none"}`);
    const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
    const perSandbox = avg(memSamples.map((m) => m.cgroupMb / m.live));
    const hostPer = avg(memSamples.map((m) => m.hostMb / m.live));
    console.log(
      `host memory per live sandbox: ${perSandbox.toFixed(1)} MiB (containers' cgroup usage), ${hostPer.toFixed(1)} MiB (host growth / live sandboxes; includes the server); live sandboxes ${avg(memSamples.map((m) => m.live)).toFixed(1)} on average over ${memSamples.length} samples`,
    );
    console.log(`host memory in use: ${hostBefore.toFixed(0)} MiB before the clients, ${hostAfter.toFixed(0)} MiB after`);
    console.log(
      `server RSS: ${rssBefore?.toFixed(0)} MiB before, ${rssAfter?.toFixed(0)} MiB after (${rssBefore && rssAfter ? `${(rssAfter - rssBefore).toFixed(0)} MiB growth` : "?"})` +
        (rssSeries.length ? `; per minute: ${rssSeries.map((r) => `${r.minute}:${r.rss?.toFixed(0)}`).join(" ")}` : ""),
    );
    console.log(`lost: ${lost}; rows left running after the clients stopped: ${left.executions} executions, ${left.processes} processes`);
    failed = lost > 0 || left.executions > 0 || left.processes > 0;
  } catch (e) {
    failed = true;
    console.error(`[load] harness failed: ${e instanceof Error ? e.message : String(e)}`);
    console.error(server.log.slice(-20).join("\n"));
  } finally {
    await server.stop();
    await sleep(1000);
    const orphans = scopeContainers(setup.scope, true);
    console.log(`containers left after the server stopped: ${orphans.length}`);
    if (orphans.length) {
      failed = true;
      docker(["rm", "-f", ...orphans]);
    }
    if (!values.keep) rmSync(setup.dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error("[load] harness crashed:", e);
  process.exit(2);
});

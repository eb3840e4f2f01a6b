// The metrics collector's CPU cost with N active sandboxes (default 20), as percent of one core:
//   npx tsx server/monitoring/bench/collector-bench.ts        (SANDBOX_RUNTIME=runsc for gVisor)
// Starts N project containers through the real engine over a throw-away embedded PostgreSQL, then
// measures three periods of BENCH_SECONDS (default 60) each, per SANDBOX_METRICS_INTERVAL (5 s):
// a baseline with the sandboxes idle and no collector, then the same with the collector running
// (stats streams, df every 6th sample, batched inserts), then, for comparison, with one one-shot
// stats request per container per tick. Per interval it reads the CPU time of this process
// (process.cpuUsage) and, from /proc, of dockerd, containerd, the containerd shims (with their
// reaped children), gVisor's processes under runsc, and PostgreSQL. Everything else on the
// machine adds noise to the daemons' figures: compare medians, and run it on a quiet machine.
// A script, not a test: it prints numbers and asserts nothing.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import pino from "pino";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { migrateDatabase } from "@/server/db/migrate";
import { metricsRepository } from "@/server/repositories/metrics-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { userRepository } from "@/server/repositories/user-repository";
import { createDockerSandboxEngine } from "@/server/sandbox/docker-engine";
import { DatabaseWorkspaceStore } from "@/server/services/files/database-workspace-store";
import { parseDockerStats } from "@/server/sandbox/docker-stats";
import { type CollectorSource, MetricsCollector } from "../collector";
import { getFleetMetrics } from "../prometheus";

const SANDBOXES = Number(process.env.BENCH_SANDBOXES ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL_MS = Number(process.env.SANDBOX_METRICS_INTERVAL ?? 5_000);
const DISK_EVERY = Number(process.env.SANDBOX_METRICS_DISK_EVERY ?? 6);
const runtime = process.env.SANDBOX_RUNTIME === "runsc" ? "runsc" : "runc";
const CLK_TCK = 100; // Linux USER_HZ for /proc/<pid>/stat utime and stime
const logger = pino({ level: process.env.BENCH_LOG ?? "silent" });

/** CPU ticks (user + system) per process group, summed over the live processes of each. */
function groupTicks(pgDataDir: string): Record<string, number> {
  const out: Record<string, number> = { dockerd: 0, containerd: 0, shims: 0, gvisor: 0, postgres: 0 };
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime, stime, and the reaped children's cutime, cstime (fields 14-17): a shim's short-lived
      // children (`runc exec` for df, the df itself) are only visible once the shim has reaped them.
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      let group: string | null = null;
      if (comm === "dockerd") group = "dockerd";
      else if (comm === "containerd") group = "containerd";
      else if (comm.startsWith("containerd-shim")) group = "shims";
      else if (comm === "exe")
        group = "gvisor"; // runsc-sandbox, runsc-gofer and the sentry's threads re-exec /proc/self/exe
      else if (comm === "postgres" && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(pgDataDir)) group = "postgres";
      else if (comm === "postgres") {
        // Backends do not carry the data dir on their command line: attribute them by their parent.
        const ppid = fields[1];
        if (ppid && readFileSync(`/proc/${ppid}/cmdline`, "utf8").includes(pgDataDir)) group = "postgres";
      }
      if (group) out[group] = (out[group] ?? 0) + ticks;
    } catch {
      // The process exited while we read it.
    }
  }
  return out;
}

interface Interval {
  self: number;
  [group: string]: number;
}

/** Samples every interval for `seconds`; each value is percent of one core over that interval. */
async function measure(seconds: number, pgDataDir: string): Promise<Interval[]> {
  const samples: Interval[] = [];
  let cpu = process.cpuUsage();
  let ticks = groupTicks(pgDataDir);
  let at = performance.now();
  const end = at + seconds * 1000;
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    const now = performance.now();
    const wallS = (now - at) / 1000;
    const d = process.cpuUsage(cpu);
    const t = groupTicks(pgDataDir);
    const sample: Interval = { self: ((d.user + d.system) / 1e6 / wallS) * 100 };
    for (const [k, v] of Object.entries(t)) sample[k] = ((v - (ticks[k] ?? 0)) / CLK_TCK / wallS) * 100;
    samples.push(sample);
    cpu = process.cpuUsage();
    ticks = t;
    at = now;
  }
  return samples;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { median: at(0.5), p95: at(0.95) };
}

/** The fleet's source with stats polled once per tick (one-shot requests) instead of streamed. */
function oneShotSource(docker: Dockerode, fleet: CollectorSource): CollectorSource {
  return {
    activeSandboxes: () => fleet.activeSandboxes(),
    workspaceBytes: (id) => fleet.workspaceBytes(id),
    async streamStats(id, onSample) {
      let stopped = false;
      const closed = (async () => {
        while (!stopped) {
          const raw: unknown = await docker.getContainer(id).stats({ stream: false, "one-shot": true });
          const sample = parseDockerStats(JSON.stringify(raw));
          if (sample) onSample(sample);
          await new Promise((r) => setTimeout(r, INTERVAL_MS));
        }
      })().catch(() => {});
      return { closed, close: () => (stopped = true) };
    },
  };
}

async function main() {
  const pgDir = mkdtempSync(join(tmpdir(), "collector-bench-pg-"));
  chmodSync(pgDir, 0o755); // as root, PostgreSQL runs as "postgres", which must reach its folder
  const db = await startEmbeddedPostgres({ dataDir: join(pgDir, "postgres"), port: Number(process.env.BENCH_PG_PORT ?? 54_471) });
  process.env.DATABASE_URL = db.url;
  await migrateDatabase(db.url);
  const docker = new Dockerode();
  const engine = createDockerSandboxEngine({
    config: {
      runtime,
      scope: "bench-collector",
      instanceId: `bench-col-${process.pid}`,
      reapOtherInstances: false,
      postureCheck: false,
      poolSizePerImage: 0, // no pool refills during the measurement
      warmImages: ["node"],
      maxConcurrent: SANDBOXES + 2,
      maxIdleTimeMs: 3600_000,
    },
    store: new DatabaseWorkspaceStore(),
    logger,
    docker,
  });
  try {
    await engine.start();
    const user = await userRepository.create({ email: `bench-${process.pid}@bench.local`, name: null, passwordHash: "x", role: "user" });
    if (!user) throw new Error("could not create the bench user");
    console.log(`collector bench: runtime=${runtime} sandboxes=${SANDBOXES} period=${SECONDS}s interval=${INTERVAL_MS}ms df every ${DISK_EVERY} samples`);
    const ids: number[] = [];
    for (let i = 0; i < SANDBOXES; i++) {
      const p = await projectRepository.create({ name: `bench ${i}`, description: null, userId: user.id, createdByAi: null, templateType: null });
      const r = await engine.execute(String(p.id), { kind: "command", command: "true" });
      if (r.status !== "success") throw new Error(`starting sandbox ${i} failed: ${r.errorOutput}`);
      ids.push(p.id);
    }
    console.log(`${engine.fleet.activeSandboxes().length} sandboxes active; settling 10 s`);
    await new Promise((r) => setTimeout(r, 10_000));

    console.log(`baseline: ${SECONDS} s without the collector`);
    const baseline = await measure(SECONDS, pgDir);

    const runCollector = async (source: CollectorSource, label: string) => {
      const collector = new MetricsCollector({
        source: () => source,
        status: () => engine.status(),
        figures: (now) => getFleetMetrics().window.figures(now),
        sink: {
          writeProjectSamples: (rows) => metricsRepository.insertProjectSamples(rows),
          writeFleetSample: (row) => metricsRepository.insertFleetSample(row),
        },
        log: logger,
        intervalMs: INTERVAL_MS,
        diskEvery: DISK_EVERY,
      });
      let ticks = 0;
      let rows = 0;
      collector.onTick((t) => {
        ticks++;
        rows += t.projects.length;
      });
      collector.start();
      // The first tick opens the streams; measure from the second interval on, as in steady state.
      await new Promise((r) => setTimeout(r, INTERVAL_MS + 1_000));
      console.log(`${label}: ${SECONDS} s`);
      const samples = await measure(SECONDS, pgDir);
      await collector.stop();
      console.log(`  ${ticks} ticks, ${rows} project samples (${(rows / Math.max(1, ticks)).toFixed(1)} per tick)`);
      return samples;
    };
    const streamed = await runCollector(engine.fleet, "collector (one stats stream per container)");
    // For comparison only: the same collector fed by one one-shot stats request per container per
    // tick instead of a stream (Docker then reads the cgroups once per interval, not once a second).
    const oneShot =
      process.env.BENCH_COMPARE === "0" ? null : await runCollector(oneShotSource(docker, engine.fleet), "collector (one-shot request per container per tick)");

    const groups = ["self", "dockerd", "containerd", "shims", ...(runtime === "runsc" ? ["gvisor"] : []), "postgres"];
    const fmt = (n: number) => n.toFixed(2).padStart(6);
    const table = (title: string, measured: Interval[]) => {
      console.log(`\n${title}: percent of one core per ${INTERVAL_MS / 1000} s interval (${baseline.length} baseline, ${measured.length} measured intervals)`);
      console.log(`| process          | baseline p50 | baseline p95 | collector p50 | collector p95 | p50 difference |`);
      console.log(`|------------------|-------------:|-------------:|--------------:|--------------:|---------------:|`);
      let total = 0;
      for (const g of groups) {
        const b = stats(baseline.map((s) => s[g] ?? 0));
        const c = stats(measured.map((s) => s[g] ?? 0));
        total += c.median - b.median;
        const name = g === "self" ? "this process" : g;
        console.log(
          `| ${name.padEnd(16)} | ${fmt(b.median)} %     | ${fmt(b.p95)} %     | ${fmt(c.median)} %      | ${fmt(c.p95)} %      | ${fmt(c.median - b.median)} %       |`,
        );
      }
      console.log(`cost (sum of p50 differences): ${total.toFixed(2)} % of one core`);
    };
    table("collector with stats streams", streamed);
    if (oneShot) table("for comparison, one-shot requests", oneShot);
  } finally {
    await engine.stop().catch(() => {});
    await db.stop().catch(() => {});
    rmSync(pgDir, { recursive: true, force: true });
  }
}

// Exits explicitly: the Prisma pool (owned by the repositories) would otherwise keep it alive.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

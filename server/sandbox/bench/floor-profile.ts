// `npm run bench:floor` (SANDBOX_RUNTIME=runc|runsc, BENCH_ROUNDS=n): where the engine's `true` goes
// on a warm project (issue 11 point 8, engine `true` ≤ 5 ms). Marks from engine.execute to the
// Start call, each event of the agent's stream and the engine's exit event; beside them, in the
// same rounds, a bare Start of `true` on the same agent connection (no write tracking, no tree
// kill, no save) and an agent Hello (the transport's round trip alone). Prints, asserts nothing.
// Two engines, alternating round by round so both meet the same machine: BENCH_FLOOR=plain (the
// default) compares commands through `bash -c` with plain commands (plain-command.ts);
// BENCH_FLOOR=transport compares the exec's stream with the engine's socket (runc).
// BENCH_FLOOR_COMMAND runs another command than `true` (e.g. `echo 1`: coreutils' echo as plain
// argv against bash's builtin).
import { cpus, loadavg } from "node:os";
import Dockerode from "dockerode";
import pino from "pino";
import { parseEngineConfig } from "../config";
import { createDockerSandboxEngine } from "../docker-engine";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import type { AgentConnection } from "../agent/agent-connection";
import type { SandboxEngine } from "../engine";
import { stats } from "./sample-stats";

const runtime = process.env.SANDBOX_RUNTIME === "runsc" ? "runsc" : "runc";
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const docker = new Dockerode();
const logger = pino({ level: process.env.BENCH_LOG ?? "silent" });
const compare = process.env.BENCH_FLOOR === "transport" ? "transport" : "plain";
/** BENCH_FLOOR_PAUSE=ms: quiet before each round (what a person's Run meets; default 0, back to back). */
const pauseMs = Number(process.env.BENCH_FLOOR_PAUSE ?? 0);
/** BENCH_FLOOR_COMMAND: the command each round runs (default `true`), e.g. `echo 1`. */
const command = process.env.BENCH_FLOOR_COMMAND ?? "true";
type Variant = "stdio" | "socket" | "bash" | "plain";
const configFor = (variant: Variant) =>
  parseEngineConfig({
    runtime,
    poolSizePerImage: 1,
    warmImages: ["node"],
    postureCheck: false,
    instanceId: `floor-${variant}-${process.pid}`,
    scope: "bench",
    reapOtherInstances: false,
    ...(variant === "stdio" ? { agentSocketDir: null } : {}),
    ...(variant === "bash" ? { plainCommands: false } : {}),
    ...(process.env.SANDBOX_CONTAINER_REGISTRY ? { registry: process.env.SANDBOX_CONTAINER_REGISTRY } : {}),
  });
const store = new MemoryWorkspaceStore();
store.put("p", "index.js", "x\n");

type Samples = Record<string, number[]>;

/** One engine's rounds: marks along its execute, the bare Start and the Hello. */
async function profiled(engine: SandboxEngine, variant: Variant) {
  await engine.execute("p", { kind: "command", command });
  const lease = (engine as unknown as { pool: { lease(p: string): { container: { agent: AgentConnection } } } }).pool.lease("p");
  const agent = lease.container.agent;
  const marks: Samples = {};
  const add = (k: string, v: number) => (marks[k] ??= []).push(v);
  let t0 = 0;
  const origStart = agent.process.start.bind(agent.process);
  (agent.process as { start: unknown }).start = (req: unknown, opts: unknown) => {
    add("1 execute→Start sent", performance.now() - t0);
    const it = origStart(req as never, opts as never);
    return (async function* () {
      for await (const ev of it) {
        add(`2 Start→${ev.event.case}`, performance.now() - t0);
        yield ev;
      }
      add("3 stream end", performance.now() - t0);
    })();
  };
  const totals = { total: [] as number[], bare: [] as number[], hello: [] as number[] };
  const round = async (i: number) => {
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    t0 = performance.now();
    const r = await engine.execute(
      "p",
      { kind: "command", command },
      {
        onEvent: (e) => {
          if (e.type === "exit") add("4 exit event emitted", performance.now() - t0);
        },
      },
    );
    totals.total.push(performance.now() - t0);
    if (r.status !== "success") throw new Error(r.errorOutput);
    let s = performance.now();
    for await (const _ of origStart({ id: `bare-${i}`, command: { case: "argv", value: { args: ["true"] } } } as never, {})) void _;
    totals.bare.push(performance.now() - s);
    s = performance.now();
    await agent.agent.hello({});
    totals.hello.push(performance.now() - s);
  };
  return { variant: `${variant} (calls over ${agent.transport})`, marks, totals, round };
}

async function main() {
  const variants: Variant[] = compare === "plain" ? ["bash", "plain"] : runtime === "runc" ? ["stdio", "socket"] : ["stdio"];
  const engines = variants.map((v) => createDockerSandboxEngine({ config: configFor(v), store, logger, docker }));
  try {
    await Promise.all(engines.map((e) => e.start()));
    const runs = [];
    for (const [i, engine] of engines.entries()) runs.push(await profiled(engine, variants[i] ?? "plain"));
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (${cpus().length} cores), ${rounds} rounds, ${runtime}`,
    );
    for (let i = 0; i < rounds; i++) for (const run of runs) await run.round(i);
    const both = (xs: number[]) => `p50 ${stats(xs).median.toFixed(2)} ms, p95 ${stats(xs).p95.toFixed(2)} ms`;
    for (const run of runs) {
      console.log(`-- ${run.variant}`);
      for (const [k, v] of Object.entries(run.marks).sort()) console.log(`${k.padEnd(30)} ${both(v)}`);
      console.log(`engine.execute total ${both(run.totals.total)}; bare Start(true) ${both(run.totals.bare)}; Hello ${both(run.totals.hello)}`);
    }
    const [a, b] = runs;
    if (a && b) {
      const ratio = (k: keyof typeof a.totals) => (stats(b.totals[k]).median / stats(a.totals[k]).median).toFixed(2);
      console.log(
        `load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}`,
      );
      console.log(`${b.variant} / ${a.variant} p50: execute ${ratio("total")}×, bare Start ${ratio("bare")}×, Hello ${ratio("hello")}×`);
    }
  } finally {
    await Promise.all(engines.map((e) => e.stop()));
  }
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

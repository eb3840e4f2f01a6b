// `npm run bench:floor` (SANDBOX_RUNTIME=runc|runsc, BENCH_ROUNDS=n): where the engine's `true` goes
// on a warm project (issue 11 point 8, engine `true` ≤ 5 ms). Marks from engine.execute to the
// Start call, each event of the agent's stream and the engine's exit event; beside them, in the
// same rounds, a bare Start of `true` on the same agent connection (no write tracking, no tree
// kill, no save) and an agent Hello (the transport's round trip alone). Prints, asserts nothing.
import Dockerode from "dockerode";
import pino from "pino";
import { parseEngineConfig } from "../config";
import { createDockerSandboxEngine } from "../docker-engine";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import type { AgentConnection } from "../agent/agent-connection";
import { stats } from "./sample-stats";

const runtime = process.env.SANDBOX_RUNTIME === "runsc" ? "runsc" : "runc";
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const docker = new Dockerode();
const logger = pino({ level: process.env.BENCH_LOG ?? "silent" });
const config = parseEngineConfig({
  runtime,
  poolSizePerImage: 1,
  warmImages: ["node"],
  postureCheck: false,
  instanceId: `floor-${process.pid}`,
  scope: "bench",
  reapOtherInstances: false,
});
const store = new MemoryWorkspaceStore();
store.put("p", "index.js", "x\n");

async function main() {
  const engine = createDockerSandboxEngine({ config, store, logger, docker });
  await engine.start();
  try {
    await engine.execute("p", { kind: "command", command: "true" });
    const lease = (engine as unknown as { pool: { lease(p: string): { container: { agent: AgentConnection } } } }).pool.lease("p");
    const agent = lease.container.agent;
    const marks: Record<string, number[]> = {};
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
    const total: number[] = [];
    const bare: number[] = [];
    const hello: number[] = [];
    for (let i = 0; i < rounds; i++) {
      t0 = performance.now();
      const r = await engine.execute(
        "p",
        { kind: "command", command: "true" },
        {
          onEvent: (e) => {
            if (e.type === "exit") add("4 exit event emitted", performance.now() - t0);
          },
        },
      );
      total.push(performance.now() - t0);
      if (r.status !== "success") throw new Error(r.errorOutput);
      let s = performance.now();
      for await (const _ of origStart({ id: `bare-${i}`, command: { case: "argv", value: { args: ["true"] } } } as never, {})) void _;
      bare.push(performance.now() - s);
      s = performance.now();
      await agent.agent.hello({});
      hello.push(performance.now() - s);
    }
    const both = (xs: number[]) => `p50 ${stats(xs).median.toFixed(2)} ms, p95 ${stats(xs).p95.toFixed(2)} ms`;
    for (const [k, v] of Object.entries(marks).sort()) console.log(`${k.padEnd(30)} ${both(v)}`);
    console.log(`engine.execute total ${both(total)}; bare Start(true) ${both(bare)}; Hello ${both(hello)}`);
  } finally {
    await engine.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

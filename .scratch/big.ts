import Dockerode from "dockerode";
import pino from "pino";
import { parseEngineConfig } from "../server/sandbox/config";
import { createDockerSandboxEngine } from "../server/sandbox/docker-engine";
import { MemoryWorkspaceStore } from "../server/sandbox/memory-workspace-store";
const runtime = process.env.SANDBOX_RUNTIME === "runsc" ? "runsc" : "runc";
const rounds = Number(process.env.ROUNDS ?? 20);
const config = parseEngineConfig({ runtime, poolSizePerImage: 2, warmImages: ["node"], postureCheck: false, instanceId: `bigb-${process.pid}`, scope: "bench", reapOtherInstances: false, maxConcurrent: 8, limits: { workspaceInodes: 20_000 } });
const store = new MemoryWorkspaceStore();
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
async function main() {
  const engine = createDockerSandboxEngine({ config, store, logger: pino({ level: "silent" }), docker: new Dockerode() });
  await engine.start();
  const e = engine as any;
  const phases: Record<string, number[]> = {};
  const orig = e.saveWritten.bind(e);
  e.saveWritten = async (...args: any[]) => { const s = performance.now(); const r = await orig(...args); (phases[args[0]] ??= []).push(performance.now() - s); return r; };
  store.put("bench", "index.js", "x\n");
  for (let i = 0; i < 10_000; i++) store.put("big", `src/d${i % 100}/f${i}.txt`, `file ${i}\n`);
  let s = performance.now();
  await engine.execute("big", { kind: "command", command: "true", timeoutMs: 120_000 });
  console.log("big first run (load)", (performance.now() - s).toFixed(0));
  await engine.execute("bench", { kind: "command", command: "true" });
  const timeN = async (p: string, n: number) => { const out: number[] = []; for (let i = 0; i < n; i++) { const s = performance.now(); const r = await engine.execute(p, { kind: "command", command: "echo 1 > out.txt" }); if (r.status !== "success") throw new Error(r.errorOutput); out.push(performance.now() - s); } return out; };
  const time = async (p: string) => { const out: number[] = []; for (let i = 0; i < rounds; i++) { const s = performance.now(); const r = await engine.execute(p, { kind: "command", command: "echo 1 > out.txt" }); if (r.status !== "success") throw new Error(r.errorOutput); out.push(performance.now() - s); } return out; };
  for (let k = 0; k < 3; k++) {
    phases.big = []; phases.bench = [];
    const big: number[] = []; const small: number[] = [];
    for (let i = 0; i < rounds; i++) { big.push(...(await timeN("big", 1))); small.push(...(await timeN("bench", 1))); }
    const runs = (xs: number[], ys: number[]) => med(xs.map((x, i) => x - (ys[i] ?? 0)));
    console.log(`${runtime}: big p50 ${med(big).toFixed(1)} small p50 ${med(small).toFixed(1)} ratio ${(med(big) / med(small)).toFixed(2)}; save big ${med(phases.big!).toFixed(1)} small ${med(phases.bench!).toFixed(1)}`);
  }
  s = performance.now();
  await engine.releaseProject("big");
  console.log("release big", (performance.now() - s).toFixed(0));
  await engine.stop();
}
void main();

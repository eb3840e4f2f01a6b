import { startTestEngine } from "../server/sandbox/docker-test-engine";
import type { ContainerPool } from "../server/sandbox/pool";
import { statThroughAgent, readThroughAgent } from "../server/sandbox/agent-files";
async function main() {
  const t = await startTestEngine({ postureCheck: false, maxFileSize: 64 * 1024, limits: { workspaceInodes: 20_000 } });
  await t.engine.execute("p", { kind: "command", command: "mkdir -p gen && for i in $(seq 1 1000); do echo $i > gen/f$i.txt; done" });
  const pool = (t.engine as unknown as { pool: ContainerPool }).pool;
  const agent = pool.lease("p")!.container.agent!;
  const paths = Array.from({ length: 1000 }, (_, i) => `gen/f${i + 1}.txt`);
  for (let k = 0; k < 3; k++) {
    let s = performance.now();
    await statThroughAgent(agent, paths);
    console.log("stat 1000", (performance.now() - s).toFixed(0));
    s = performance.now();
    await readThroughAgent(agent, paths, 65536, "base64");
    console.log("read 1000", (performance.now() - s).toFixed(0));
    s = performance.now();
    await agent.files.stat({ path: new TextEncoder().encode("gen/f1.txt") });
    console.log("stat 1", (performance.now() - s).toFixed(1));
  }
  await t.engine.stop();
}
void main();

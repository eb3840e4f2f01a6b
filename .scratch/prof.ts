import { startTestEngine } from "../server/sandbox/docker-test-engine";
import type { ContainerPool } from "../server/sandbox/pool";
async function main() {
  const t = await startTestEngine({ postureCheck: false, maxFileSize: 64 * 1024, limits: { workspaceInodes: 20_000 } });
  await t.engine.execute("p", { kind: "command", command: "true" });
  const pool = (t.engine as unknown as { pool: ContainerPool }).pool;
  const watch = pool.lease("p")!.state.watch!;
  const orig = (watch as any).save.bind(watch);
  (watch as any).save = async (what: any, refused: any) => {
    const s = performance.now();
    const r = await orig(what, refused);
    console.log("save", what === "resync" ? "resync" : what.length, "paths", (performance.now() - s).toFixed(0), "ms", r?.upserted.length);
    return r;
  };
  const s0 = performance.now();
  const proc = await t.engine.spawn("p", { image: "node", argv: ["bash", "-c", "mkdir -p gen && for i in $(seq 1 1000); do echo $i > gen/f$i.txt; done; echo done"] });
  proc.stdout.resume();
  await proc.exited;
  console.log("script done", (performance.now() - s0).toFixed(0));
  while ([...t.store.files("p").keys()].length < 1000) await new Promise((r) => setTimeout(r, 20));
  console.log("all saved", (performance.now() - s0).toFixed(0));
  const s1 = performance.now();
  await t.engine.releaseProject("p");
  console.log("release", (performance.now() - s1).toFixed(0));
  await t.engine.stop();
}
void main();

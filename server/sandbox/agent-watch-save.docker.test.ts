import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LeaseWatch } from "./agent-watch-save";
import { eventually, startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { ContainerPool } from "./pool";

// Files changed outside executions (a shell, a background process, a dev server) reach the store
// through the agent's watch, with no execution and no listing: issue 11, point 2.

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ postureCheck: false, maxFileSize: 64 * 1024, limits: { workspaceInodes: 20_000 } });
});

afterAll(async () => {
  await t?.engine.stop();
});

const run = (projectId: string, command: string) => t.engine.execute(projectId, { kind: "command", command });

/** A background process in the project's container (what a shell or a dev server is). */
async function background(projectId: string, script: string) {
  const proc = await t.engine.spawn(projectId, { image: "node", argv: ["bash", "-c", script] });
  proc.stdout.resume();
  proc.stderr.resume();
  return proc;
}

function watchOf(projectId: string): LeaseWatch {
  const pool = (t.engine as unknown as { pool: ContainerPool }).pool;
  const watch = pool.lease(projectId)?.state.watch;
  if (!watch) throw new Error(`no watch for ${projectId}`);
  return watch;
}

const stored = (projectId: string, path: string) => t.store.files(projectId).get(path)?.content;
const calls = (projectId: string) => t.store.applied.filter((a) => a.projectId === projectId).length;

describe(`saving through the agent's watch under ${testRuntime()}`, () => {
  it("saves a file a background process writes, with no execution, within seconds", async () => {
    t.store.put("bg", "a.txt", "a\n");
    await run("bg", "true");
    const before = calls("bg");
    const proc = await background("bg", "sleep 0.2; echo written later > later.txt; mkdir -p out/deep && echo deep > out/deep/x.txt; sleep 30");
    await eventually(() => stored("bg", "later.txt") === "written later\n" && stored("bg", "out/deep/x.txt") === "deep\n", 10_000);
    expect(calls("bg")).toBeGreaterThan(before);
    // Folders never saved stay out, as with every other path (config.syncIgnore).
    await background("bg", "mkdir -p node_modules/pkg && echo x > node_modules/pkg/i.js && echo y > seen.txt");
    await eventually(() => stored("bg", "seen.txt") === "y\n", 10_000);
    expect([...t.store.files("bg").keys()].some((p) => p.startsWith("node_modules/"))).toBe(false);
    await proc.kill();
    await t.engine.releaseProject("bg");
  });

  it("saves 1,000 files a shell creates in a few transactions", async () => {
    await run("many", "true");
    const before = calls("many");
    const proc = await background("many", "mkdir -p gen && for i in $(seq 1 1000); do echo $i > gen/f$i.txt; done; echo done");
    await eventually(() => [...t.store.files("many").keys()].filter((p) => p.startsWith("gen/")).length === 1000, 60_000);
    const transactions = calls("many") - before;
    console.log(`1,000 files from a shell under ${testRuntime()}: ${transactions} store transactions`);
    expect(transactions).toBeLessThanOrEqual(20);
    expect(stored("many", "gen/f1000.txt")).toBe("1000\n");
    await proc.exited;
    await t.engine.releaseProject("many");
  });

  it("reflects a delete, a rename and a folder's rename by a shell", async () => {
    t.store.put("mv", "gone.txt", "bye\n");
    t.store.put("mv", "old.txt", "moved\n");
    t.store.put("mv", "dir/in.txt", "inside\n");
    await run("mv", "true");
    await background("mv", "rm gone.txt && mv old.txt new.txt && mv dir renamed");
    await eventually(() => {
      const keys = [...t.store.files("mv").keys()].sort();
      return JSON.stringify(keys) === JSON.stringify(["new.txt", "renamed/in.txt"]);
    }, 10_000);
    expect(stored("mv", "new.txt")).toBe("moved\n");
    expect(stored("mv", "renamed/in.txt")).toBe("inside\n");
    await t.engine.releaseProject("mv");
  });

  it("falls back to one listing when the watch stream breaks, and loses nothing", async () => {
    await run("gap", "true");
    const watch = watchOf("gap");
    const resyncs = watch.counters.resyncs;
    const streams = watch.counters.streams;
    // Written while no stream is open: only the listing after the reopen can find it.
    watch.breakStream();
    await background("gap", "echo in the gap > gap.txt");
    await eventually(() => stored("gap", "gap.txt") === "in the gap\n", 15_000);
    await eventually(() => watch.counters.streams > streams && watch.counters.resyncs > resyncs, 10_000);
    await background("gap", "echo after > after.txt");
    await eventually(() => stored("gap", "after.txt") === "after\n", 10_000);
    await t.engine.releaseProject("gap");
  });

  it("ends with the right files after 100,000 quick events", async () => {
    await run("flood", "true");
    const watch = watchOf("flood");
    const resyncs = watch.counters.resyncs;
    // 15,000 files made and removed, and 30 files rewritten 1,000 times each (three events per
    // rewrite: truncate, write, close): whatever the agent and the kernel queue make of it (an
    // overflow turns into a listing), the store ends right.
    const script = [
      "mkdir -p f && cd f && for d in $(seq 1 15); do mkdir d$d; (cd d$d && touch $(seq -f 'n%g' 1 1000)); done; cd ..",
      "mkdir -p hot && for i in $(seq 1 1000); do for j in $(seq 1 30); do echo $i > hot/h$j; done; done",
      "rm -rf f; echo kept > kept.txt",
    ].join("; ");
    const proc = await background("flood", script);
    await proc.exited;
    await eventually(() => stored("flood", "kept.txt") === "kept\n", 120_000);
    await eventually(() => {
      const keys = [...t.store.files("flood").keys()];
      return !keys.some((p) => p.startsWith("f/")) && keys.filter((p) => p.startsWith("hot/")).length === 30;
    }, 60_000);
    await eventually(() => [...t.store.files("flood").values()].filter((f) => f.path.startsWith("hot/")).every((f) => f.content === "1000\n"), 30_000);
    console.log(`100,000 quick events under ${testRuntime()}: ${watch.counters.resyncs - resyncs} resyncs, ${watch.counters.rounds} rounds`);
    await t.engine.releaseProject("flood");
  }, 400_000);

  it("keeps a write made right before a release", async () => {
    await run("rel", "true");
    const proc = await background("rel", "echo last words > last.txt; echo ok");
    await proc.exited;
    // The agent still holds the event in its quiet period: the release saves it first.
    await t.engine.releaseProject("rel");
    expect(stored("rel", "last.txt")).toBe("last words\n");
    const again = await run("rel", "cat last.txt");
    expect(again.output).toBe("last words\n");
    await t.engine.releaseProject("rel");
  });

  it("does not write an IDE save back, nor an older one over a newer", async () => {
    await run("ide", "true");
    const before = calls("ide");
    for (const content of ["one\n", "two\n", "three\n"]) {
      // The files service stores first, then mirrors into the container.
      t.store.put("ide", "edit.txt", content);
      await t.engine.writeFiles("ide", [{ path: "edit.txt", content, encoding: "utf8", size: content.length }]);
    }
    await t.engine.syncWorkspace("ide");
    expect(stored("ide", "edit.txt")).toBe("three\n");
    expect(t.store.applied.slice(before).filter((a) => a.projectId === "ide" && a.changes.upserted.length)).toEqual([]);
    await t.engine.releaseProject("ide");
  });
});

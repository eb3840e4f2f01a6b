import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestEngine, type TestEngine } from "@/test/support/docker-test-engine";
import type { SandboxProcess } from "./engine";

// engine.spawn: long-lived processes (shells, dev servers, tunnels) that survive the sweep run
// after every execution, with their own descendants, and die on kill() or with the container.

function collect(proc: SandboxProcess): { text: () => string } {
  let text = "";
  proc.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return { text: () => text };
}

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ maxConcurrent: 8 });
}, 120_000);
afterAll(async () => {
  await t?.engine.stop();
});

describe("engine.spawn", () => {
  it("pipes stdin to a process and its output back, and reports the exit code", async () => {
    const proc = await t.engine.spawn("spawn-io", { image: "node", argv: ["bash", "-c", 'read line; echo "got $line"; exit 7'] });
    expect(proc.pid).toBeGreaterThan(1);
    const out = collect(proc);
    proc.stdin.write("hello\n");
    await expect(proc.exited).resolves.toEqual({ exitCode: 7 });
    expect(out.text()).toBe("got hello\n");
  }, 60_000);

  it("runs in /workspace with the project's files, as the sandbox user", async () => {
    t.store.put("spawn-files", "hello.txt", "from the store");
    const proc = await t.engine.spawn("spawn-files", { image: "node", argv: ["bash", "-c", "pwd; id -u; cat hello.txt"] });
    const out = collect(proc);
    await proc.exited;
    expect(out.text()).toBe("/workspace\n1000\nfrom the store");
  }, 60_000);

  it("survives the sweep after executions, with its children, until kill() removes the whole tree", async () => {
    const proc = await t.engine.spawn("spawn-keep", { image: "node", argv: ["bash", "-c", "sleep 1000 & sleep 1001 & wait"] });
    const count = async (pattern: string) => {
      const r = await t.engine.execute("spawn-keep", { kind: "command", command: `ps -eo args= | grep -c '^${pattern}' || true` });
      return Number(r.output.trim());
    };
    // spawn() answers once bash runs, not once it has forked both sleeps.
    await eventually(async () => (await count("sleep 100[01]")) === 2, 20_000);
    // An execution's own leftovers are still swept; the spawned tree is not.
    await t.engine.execute("spawn-keep", { kind: "command", command: "sleep 2000 &" });
    expect(await count("sleep 100[01]")).toBe(2);
    expect(await count("sleep 2000")).toBe(0);
    expect(t.engine.spawnedProcesses("spawn-keep")).toBe(1);
    await proc.kill();
    await expect(proc.exited).resolves.toMatchObject({});
    expect(await count("sleep 100[01]")).toBe(0);
    expect(t.engine.spawnedProcesses("spawn-keep")).toBe(0);
  }, 90_000);

  it("gives a tty that resizes", async () => {
    const proc = await t.engine.spawn("spawn-tty", { image: "node", argv: ["bash", "--norc", "-i"], tty: true, cols: 100, rows: 30 });
    const out = collect(proc);
    proc.stdin.write("stty size\n");
    await eventually(() => out.text().includes("30 100"), 20_000);
    await proc.resize(120, 40);
    proc.stdin.write("stty size\n");
    await eventually(() => out.text().includes("40 120"), 20_000);
    proc.stdin.write("exit 3\n");
    await expect(proc.exited).resolves.toEqual({ exitCode: 3 });
  }, 60_000);

  it("ends when the project's container is released", async () => {
    const proc = await t.engine.spawn("spawn-release", { image: "node", argv: ["sleep", "1000"] });
    await t.engine.releaseProject("spawn-release");
    const outcome = await proc.exited;
    expect(outcome.exitCode === null || outcome.exitCode !== 0).toBe(true);
  }, 60_000);

  it("ends a tty process when its container is released (gVisor keeps such streams open otherwise)", async () => {
    const proc = await t.engine.spawn("spawn-release-tty", { image: "node", argv: ["bash", "--norc", "-i"], tty: true });
    await t.engine.releaseProject("spawn-release-tty");
    await expect(proc.exited).resolves.toBeDefined();
  }, 60_000);

  it("keeps a container held by a process out of the idle release, and releases it once the process ends", async () => {
    const held = await t.engine.spawn("spawn-held", { image: "node", argv: ["sleep", "1000"], holdsContainer: true });
    const background = await t.engine.spawn("spawn-unheld", { image: "node", argv: ["sleep", "1000"] });
    await new Promise((r) => setTimeout(r, 50));
    const released = await t.engine.fleet.releaseIdle(1);
    expect(released).toContain("spawn-unheld");
    expect(released).not.toContain("spawn-held");
    await expect(background.exited).resolves.toBeDefined();
    await held.kill();
    await new Promise((r) => setTimeout(r, 50));
    expect(await t.engine.fleet.releaseIdle(1)).toContain("spawn-held");
  }, 60_000);

  it("refuses an empty argv", async () => {
    await expect(t.engine.spawn("spawn-bad", { image: "node", argv: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

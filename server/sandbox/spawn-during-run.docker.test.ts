import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestEngine, type TestEngine } from "@/test/support/docker-test-engine";

// Spawns do not wait for a running execution (a shell or a preview connection opens at once), and
// the sweeps at the end of that execution spare them, while still removing its own leftovers.

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ maxConcurrent: 4 });
}, 120_000);
afterAll(async () => {
  await t?.engine.stop();
});

async function count(project: string, pattern: string): Promise<number> {
  const r = await t.engine.execute(project, { kind: "command", command: `ps -eo args= | grep -c '^${pattern}$' || true` });
  return Number(r.output.trim());
}

describe("spawning while an execution runs", () => {
  it("starts at once, and the run's own sweep and the finish after it spare the new process", async () => {
    const project = "spawn-during-run";
    await t.engine.execute(project, { kind: "command", command: "true" }); // a loaded container
    let markStarted = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let runEnded = false;
    const run = t.engine
      .execute(project, { kind: "command", command: "echo started; sleep 5; sleep 2000 &" }, { onEvent: (e) => e.type === "stdout" && markStarted() })
      .finally(() => (runEnded = true));
    await started;

    const proc = await t.engine.spawn(project, { image: "node", argv: ["cat"] });
    expect(runEnded).toBe(false); // it did not queue behind the execution
    await expect(run).resolves.toMatchObject({ status: "success", output: "started\n" });

    let echoed = "";
    proc.stdout.on("data", (chunk: Buffer) => (echoed += chunk.toString("utf8")));
    proc.stdin.write("still here\n");
    await eventually(() => echoed === "still here\n", 20_000);
    expect(await count(project, "sleep 2000")).toBe(0); // the execution's leftover was swept
    await proc.kill();
  }, 90_000);

  it("the end of a run spares a process the engine exec'd but has not registered yet, not the run's leftovers", async () => {
    const project = "spawn-unregistered";
    const first = await t.engine.execute(project, { kind: "command", command: "true" });
    // What a spawn is between its exec and its pid line: an exec from outside (ppid 0), not yet a kept root.
    const exec = await t.docker.getContainer(first.containerId ?? "").exec({ Cmd: ["sleep", "1000"], User: "1000:1000" });
    await exec.start({ Detach: true });
    await eventually(async () => (await count(project, "sleep 1000")) === 1, 20_000);

    const run = await t.engine.execute(project, { kind: "command", command: "sleep 1001 & setsid sleep 1002 & sleep 0.2" });
    expect(run.status).toBe("success");
    expect(await count(project, "sleep 1000")).toBe(1);
    expect(await count(project, "sleep 100[12]")).toBe(0);
  }, 90_000);
});

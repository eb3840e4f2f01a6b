import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineBudgets } from "./deadline";
import { eventually, startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { SandboxProcess } from "./spawned-process";

// Issue 18 point 1, then issue 11: a program of the project stops every process of the sandbox user
// (kill -STOP -1 in a loop). The engine's work in the container goes through the agent, which
// runs as another user: it cannot be stopped, so a frozen run is killed at its timeout and
// reported as a timeout, and what a run wrote is saved however its neighbours misbehave. Every
// engine step keeps its deadline, and release does not wait for the project lock.

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ maxConcurrent: 6 });
});
afterAll(async () => {
  await t?.engine.stop();
});

const budgets = () => engineBudgets(t.engine.config);
/** Stops every process it may signal (all but init and itself), over and over. */
const FREEZE_ALL = ["bash", "-c", "while :; do kill -STOP -1 2>/dev/null; done"];
/** The run of the second test: its shell is the one process whose command line holds "made > out". */
const RUN_THEN_FROZEN = "touch /tmp/go; echo made > out.txt; echo done";
/**
 * Waits for the run's command to create /tmp/go and for the run's shell to end, then stops
 * everything: the command itself completes with exit 0, the engine's save after it is frozen.
 * The pattern `made > ou[t]` matches the run's `bash -c` and not this script's own command line
 * (which holds the brackets). Waiting on a process that never exists would start the freeze
 * between the run's `touch` and its write, and the run would (rightly) end as a timeout.
 */
const FREEZE_AFTER_RUN = [
  "bash",
  "-c",
  "while [ ! -e /tmp/go ]; do sleep 0.01; done; while pgrep -f 'made > ou[t]' >/dev/null; do :; done; while :; do kill -STOP -1 2>/dev/null; done",
];

async function startFreezer(projectId: string, argv: string[]): Promise<SandboxProcess> {
  // A first execution loads the workspace; the freezer then runs as a kept background process.
  expect((await t.engine.execute(projectId, { kind: "command", command: "echo ready" })).status).toBe("success");
  return t.engine.spawn(projectId, { image: "node", argv });
}

function containerOf(projectId: string): string | undefined {
  return t.engine.fleet.activeSandboxes().find((s) => s.projectId === projectId)?.containerId;
}

async function containerGone(id: string): Promise<boolean> {
  return t.docker
    .getContainer(id)
    .inspect()
    .then(
      () => false,
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
}

async function expectRunsAgain(projectId: string, frozenContainer: string) {
  const again = await t.engine.execute(projectId, { kind: "command", command: "echo alive" });
  expect(again).toMatchObject({ status: "success" });
  expect(again.output).toContain("alive");
  expect(again.containerId).not.toBe(frozenContainer);
}

describe(`an engine frozen by the project's own processes under ${testRuntime()}`, () => {
  it("a 5 s execution frozen by its neighbours is killed at its timeout and reported as a timeout, within timeout + kill budget + grace", async () => {
    const projectId = "freeze-run";
    const freezer = await startFreezer(projectId, FREEZE_ALL);
    const container = containerOf(projectId)!;
    // Another project runs normally meanwhile.
    const bystander = t.engine.execute("freeze-bystander", { kind: "command", command: "sleep 1; echo fine" });

    const started = performance.now();
    const r = await t.engine.execute(projectId, { kind: "command", command: "sleep 1; echo done", timeoutMs: 5_000 });
    const elapsedMs = performance.now() - started;
    console.log(`[${testRuntime()}] frozen 5 s execution ended after ${Math.round(elapsedMs)} ms: ${r.status}/${r.reason}: ${r.errorOutput.trim()}`);

    // The agent kills the stopped run at its timeout: an honest timeout, never a late success.
    expect(r.status).toBe("timeout");
    expect(r.output).not.toContain("done");
    expect(elapsedMs).toBeLessThan(5_000 + budgets().kill + 10_000);
    await t.engine.releaseProject(projectId);
    await eventually(() => containerGone(container), 15_000);
    await freezer.exited;

    const other = await bystander;
    expect(other.status).toBe("success");
    expect(other.output).toContain("fine");
    await expectRunsAgain(projectId, container);
    await t.engine.releaseProject(projectId);
    await t.engine.releaseProject("freeze-bystander");
  });

  it("a run that succeeds while everything else is frozen is saved and reported: the save goes through the agent, which cannot be frozen", async () => {
    const projectId = "freeze-finish";
    await startFreezer(projectId, FREEZE_AFTER_RUN);
    const container = containerOf(projectId)!;

    const started = performance.now();
    const r = await t.engine.execute(projectId, { kind: "command", command: RUN_THEN_FROZEN, timeoutMs: 5_000 });
    const elapsedMs = performance.now() - started;
    console.log(`[${testRuntime()}] run with a frozen finish ended after ${Math.round(elapsedMs)} ms: ${r.status}/${r.reason}: ${r.errorOutput.trim()}`);

    expect(r.status, r.errorOutput).toBe("success");
    expect(r.files).toMatchObject({ upserted: ["out.txt"], error: null });
    expect(t.store.files(projectId).get("out.txt")?.content).toBe("made\n");
    expect(elapsedMs).toBeLessThan(budgets().finish + 10_000);
    await t.engine.releaseProject(projectId);
    await eventually(() => containerGone(container), 15_000);
    await expectRunsAgain(projectId, container);
    await t.engine.releaseProject(projectId);
  });

  it("release does not wait for a frozen execution: it returns at once and the execution fails fast", async () => {
    const projectId = "freeze-release";
    await startFreezer(projectId, FREEZE_ALL);
    const container = containerOf(projectId)!;

    // A long timeout: without the force path the execution (and the lock) would be held for minutes.
    const running = t.engine.execute(projectId, { kind: "command", command: "sleep 1; echo done", timeoutMs: 120_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    const releaseStarted = performance.now();
    await t.engine.releaseProject(projectId);
    const releaseMs = performance.now() - releaseStarted;
    const r = await running;
    const endMs = performance.now() - releaseStarted;
    console.log(
      `[${testRuntime()}] release under freeze took ${Math.round(releaseMs)} ms; the execution ended ${Math.round(endMs)} ms after the release began: ${r.status}/${r.reason}`,
    );

    // Measured 0.1-0.3 s; below the kill budget, so only the force path meets it.
    expect(releaseMs).toBeLessThan(5_000);
    expect(endMs).toBeLessThan(5_000);
    expect(r.status).toBe("error");
    expect(r.output).not.toContain("done");
    expect(await containerGone(container)).toBe(true);
    await expectRunsAgain(projectId, container);
    await t.engine.releaseProject(projectId);
  });
});

import { getEnv } from "@/lib/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { eventually } from "@/test/support/docker-test-engine";
import { makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { executionRepository } from "@/server/repositories/execution-repository";
import { processRepository } from "@/server/repositories/process-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { startExecution } from "@/server/services/executions/start-execution";
import { stopSandbox } from "@/server/services/monitoring/fleet-admin";
import { startProcess } from "@/server/services/processes/process-service";
import { deleteProject, releaseProject } from "./project-service";

// Issue 18 point 1, force path: a project whose background process SIGSTOPs everything it can
// (the engine's own commands included) must not hold release, delete or admin stop. Each returns
// promptly, the frozen execution ends as an error, and the project can run again.

const runtime = process.env.SANDBOX_RUNTIME ?? "runc";
const FREEZER = "while :; do kill -STOP -1 2>/dev/null; done";
/**
 * Generous (measured: 0.1-0.4 s) yet below the kill deadline (10 s): without the force path a
 * release waits for the frozen execution's kill to expire, and this bound catches it.
 */
const BOUND_MS = 5_000;

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine({ postureCheck: false }));
});
afterAll(() => engine?.stop());

/** A project with a freezer running and an execution (long timeout) frozen in it. */
async function frozenProject() {
  const owner = await makeUser();
  const user = await sessionAuthUser(owner.id);
  const project = await projectRepository.create({ name: "frozen", description: null, userId: owner.id, createdByAi: null, templateType: null });
  const freezer = await startProcess({ user, ai: null }, project.id, { command: FREEZER, port: null }, getEnv());
  const { execution, done } = await startExecution(
    { user, ai: null },
    project.id,
    {
      kind: "command",
      command: "sleep 1; echo done",
      timeoutMs: 120_000,
    },
    getEnv(),
  );
  // Let the execution reach the container and freeze there.
  await new Promise((r) => setTimeout(r, 1_500));
  await eventually(() => engine.fleet.activeSandboxes().find((s) => s.projectId === String(project.id))?.busy === 1, 10_000);
  return {
    user,
    project,
    freezer,
    execution,
    done: done.then(
      (r) => r.status,
      (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`,
    ),
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return Math.round(performance.now() - started);
}

describe(`release, delete and admin stop of a frozen project (${runtime})`, () => {
  it("release returns at once; the execution is recorded as an error, the process as stopped; the project runs again", async () => {
    const { user, project, freezer, execution, done } = await frozenProject();
    const releaseMs = await timed(() => releaseProject(user, project.id));
    const endMs = await timed(() => done);
    console.log(`[${runtime}] release of a frozen project: ${releaseMs} ms; execution settled ${endMs} ms later`);
    expect(releaseMs).toBeLessThan(BOUND_MS);
    expect(endMs).toBeLessThan(BOUND_MS);
    expect(await done).toBe("error");
    expect((await executionRepository.findById(execution.id))?.status).toBe("error");
    expect((await processRepository.findById(freezer.id))?.status).toBe("stopped");
    expect(engine.fleet.activeSandboxes().some((s) => s.projectId === String(project.id))).toBe(false);

    const again = await startExecution({ user, ai: null }, project.id, { kind: "command", command: "echo alive" }, getEnv());
    expect(await again.done).toMatchObject({ status: "success" });
  });

  it("delete returns at once", async () => {
    const { user, project, done } = await frozenProject();
    const deleteMs = await timed(() => deleteProject(user, project.id));
    const endMs = await timed(() => done);
    console.log(`[${runtime}] delete of a frozen project: ${deleteMs} ms; execution settled ${endMs} ms later`);
    expect(deleteMs).toBeLessThan(BOUND_MS);
    expect(endMs).toBeLessThan(BOUND_MS);
    expect(await done).not.toBe("success");
    expect(await projectRepository.findById(project.id)).toBeNull();
  });

  it("admin stop returns at once", async () => {
    const { project, done } = await frozenProject();
    let released: { released: boolean } | null = null;
    const stopMs = await timed(async () => (released = await stopSandbox(project.id)));
    const endMs = await timed(() => done);
    console.log(`[${runtime}] admin stop of a frozen project: ${stopMs} ms; execution settled ${endMs} ms later`);
    expect(released).toEqual({ released: true });
    expect(stopMs).toBeLessThan(BOUND_MS);
    expect(endMs).toBeLessThan(BOUND_MS);
    expect(await done).toBe("error");
  });
});

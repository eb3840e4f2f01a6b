import { getEnv } from "@/lib/env";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { sessionCaller } from "@/test/support/callers";
import { makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { actorFor } from "@/server/auth/actor";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { runExecution } from "@/server/services/executions/execution-service";

const docker = new Dockerode();

describe(`admin: active sandboxes and Stop on the real engine (${process.env.SANDBOX_RUNTIME ?? "runc"})`, () => {
  let engine: SandboxEngine;

  beforeAll(async () => {
    ({ engine } = await startAppEngine({ postureCheck: false, poolSizePerImage: 1 }));
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it("lists the sandbox with owner, AI personality and age, and Stop releases its container", async () => {
    const owner = await makeUser();
    const caller = await sessionCaller(owner.id);
    const project = await caller.projects.create({ name: "watched", template: "python-script", aiPersonality: "c24" });
    const user = await sessionAuthUser(owner.id);
    const run = await runExecution(actorFor(user, "geppo"), project.id, { kind: "command", command: "echo hi" }, getEnv());
    expect(run.status).toBe("success");

    const admin = await sessionCaller((await makeUser("admin")).id);
    // A python-script project runs its commands in the python image, whichever entry point asks
    // (in-process runExecution once skipped the template's image: two paths, two answers).
    const listed = (await admin.admin.activeSandboxes()).find((s) => s.projectId === String(project.id));
    expect(listed).toMatchObject({ projectName: "watched", ownerEmail: owner.email, createdByAi: "c24", lastRunByAi: "geppo", image: "python", busy: 0 });
    expect(listed!.ageMs).toBeGreaterThanOrEqual(0);
    const containerId = engine.fleet.activeSandboxes().find((s) => s.projectId === String(project.id))!.containerId;

    expect(await admin.admin.stopSandbox({ projectId: project.id })).toEqual({ released: true });
    expect(engine.fleet.activeSandboxes().some((s) => s.projectId === String(project.id))).toBe(false);
    expect(
      await docker
        .getContainer(containerId)
        .inspect()
        .then(
          () => "exists",
          (e: { statusCode?: number }) => e.statusCode,
        ),
    ).toBe(404);
    expect(await admin.admin.stopSandbox({ projectId: project.id })).toEqual({ released: false });
    // The files stay: the next run starts a fresh container from the store.
    expect((await runExecution(actorFor(user), project.id, { kind: "command", command: "ls" }, getEnv())).status).toBe("success");
  });
});

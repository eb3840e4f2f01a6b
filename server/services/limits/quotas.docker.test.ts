import { getEnv } from "@/lib/env";
// This file's limits, set before anything reads the environment: execution rate windows out of
// the way, so the quotas under test are what refuses.
process.env.SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE = "1000";
process.env.SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE = "1000";
process.env.SANDBOX_MAX_PROCESSES_PER_USER = "6";
process.env.SANDBOX_MAX_PREVIEWS_PER_USER = "2";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { startPreviewHarness } from "@/test/support/preview-harness";
import type { AuthUser } from "@/server/auth/auth-user";
import { sessionScopes } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { projectRepository } from "@/server/repositories/project-repository";
import { eventually, testRuntime } from "@/test/support/docker-test-engine";
import { startExecution } from "@/server/services/executions/start-execution";
import { startProcess, stopProjectProcesses } from "@/server/services/processes/process-service";
import { releaseProjectContainer } from "@/server/services/projects/release-container";
import { startShell } from "@/server/services/terminal/shell-service";

// Issue 18 point 2: the running-sandboxes quota (SANDBOX_RATE_SANDBOXES_PER_USER, 5) counts every
// container a user holds — executions, background processes, shells, previews — recorded when the
// container is bound; processes and previews have per-user caps across projects.

let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
beforeAll(async () => {
  harness = await startPreviewHarness("4760-4779");
}, 180_000);
afterAll(async () => {
  await harness?.stop();
  for (const name of [
    "SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE",
    "SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE",
    "SANDBOX_MAX_PROCESSES_PER_USER",
    "SANDBOX_MAX_PREVIEWS_PER_USER",
  ])
    delete process.env[name];
});

async function userWithProjects(n: number) {
  const u = await makeUser();
  const user: AuthUser = { id: u.id, email: u.email, role: "user", via: "session", scopes: sessionScopes("user"), apiKeyId: null, defaultAiPersonality: null };
  const projects: number[] = [];
  for (let i = 0; i < n; i++)
    projects.push((await projectRepository.create({ name: `q${i}`, description: null, userId: u.id, createdByAi: null, templateType: null })).id);
  return { user, projects };
}

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

const quiet = (user: AuthUser, projectId: number) => startProcess({ user, ai: null }, projectId, { command: "sleep 600", port: null }, getEnv());
const held = async (userId: number) => await projectRepository.countHeldBy(userId, -1);

async function releaseAll(projects: number[]) {
  for (const id of projects) await releaseProjectContainer(id);
}

describe(`sandbox quotas under ${testRuntime()}`, () => {
  it("7 projects with background processes for one user: the 6th is refused (429 naming the limit) until one is released", async () => {
    const { user, projects } = await userWithProjects(7);
    try {
      for (const id of projects.slice(0, 5)) expect((await quiet(user, id)).status).toBe("running");
      // Recorded at bind time, with the holder: no execution ever ran in these projects.
      await eventually(async () => (await held(user.id)) === 5);
      const sixth = await refusal(quiet(user, projects[5]!));
      expect(sixth.code).toBe("TOO_MANY_REQUESTS");
      expect(sixth.message).toContain("at most 5 running sandboxes per user (SANDBOX_RATE_SANDBOXES_PER_USER; you hold 5");
      expect((await refusal(quiet(user, projects[6]!))).code).toBe("TOO_MANY_REQUESTS");
      // A project that holds its container is not "another": a second process there is accepted.
      expect((await quiet(user, projects[0]!)).status).toBe("running");

      await releaseProjectContainer(projects[1]!);
      await eventually(async () => (await held(user.id)) === 4);
      expect((await quiet(user, projects[5]!)).status).toBe("running");
    } finally {
      await releaseAll(projects);
    }
    await eventually(async () => (await held(user.id)) === 0);
  }, 180_000);

  it("shells and executions count too: a shell holds a slot, and a sixth sandbox by any path is refused", async () => {
    const { user, projects } = await userWithProjects(7);
    const project = async (id: number) => (await projectRepository.findById(id))!;
    const shell = await startShell(user, await project(projects[0]!), { cols: 80, rows: 24 }, getEnv());
    try {
      for (const id of projects.slice(1, 4)) await quiet(user, id);
      const run = await startExecution({ user, ai: null }, projects[4]!, { kind: "command", command: "echo hi" }, getEnv());
      expect((await run.done).status).toBe("success");
      await eventually(async () => (await held(user.id)) === 5);
      // By execution, by shell, by process: each refused, each naming the limit. Thunks, started one
      // at a time: a refusal that lands while an earlier one is awaited would be an unhandled rejection.
      const sixthProject = await project(projects[5]!);
      for (const attempt of [
        () => startExecution({ user, ai: null }, projects[5]!, { kind: "command", command: "echo no" }, getEnv()),
        () => startShell(user, sixthProject, { cols: 80, rows: 24 }, getEnv()),
        () => quiet(user, projects[6]!),
      ]) {
        const err = await refusal(attempt());
        expect(err.code).toBe("TOO_MANY_REQUESTS");
        expect(err.message).toContain("SANDBOX_RATE_SANDBOXES_PER_USER");
      }
    } finally {
      await shell.process.kill();
      shell.release();
      await releaseAll(projects);
    }
  }, 180_000);

  it("caps background processes and previews per user across projects (SANDBOX_MAX_PROCESSES_PER_USER 6, _PREVIEWS_ 2)", async () => {
    const { user, projects } = await userWithProjects(3);
    try {
      const serve = (id: number, port: number) =>
        startProcess({ user, ai: null }, id, { command: `exec node -e "require('http').createServer((q,s)=>s.end('ok')).listen(${port})"`, port }, getEnv());
      expect((await serve(projects[0]!, 8080)).previewUrl).toMatch(/^http:\/\/127\.0\.0\.1:47[67]\d\/$/);
      expect((await serve(projects[1]!, 8080)).previewUrl).not.toBeNull();
      const third = await refusal(serve(projects[2]!, 8080));
      expect(third.code).toBe("TOO_MANY_REQUESTS");
      expect(third.message).toContain("At most 2 previews per user across projects (SANDBOX_MAX_PREVIEWS_PER_USER; you have 2)");

      for (const id of [projects[0]!, projects[0]!, projects[1]!, projects[1]!]) await quiet(user, id);
      const seventh = await refusal(quiet(user, projects[0]!));
      expect(seventh.code).toBe("TOO_MANY_REQUESTS");
      expect(seventh.message).toContain("At most 6 background processes per user across projects (SANDBOX_MAX_PROCESSES_PER_USER; you have 6)");

      // Stopping frees a place.
      await stopProjectProcesses(projects[1]!);
      expect((await quiet(user, projects[0]!)).status).toBe("running");
    } finally {
      await releaseAll(projects);
    }
  }, 180_000);
});

import { getEnv } from "@/lib/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { makeUser } from "@/test/fixtures/accounts";
import type { AuthUser } from "@/server/auth/auth-user";
import { sessionScopes } from "@/server/auth/auth-user";
import { processRepository } from "@/server/repositories/process-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { eventually, testRuntime } from "@/test/support/docker-test-engine";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { startProcess } from "@/server/services/processes/process-service";

// Issue 18 point 2: output alone does not keep a container. Output extends MAX_IDLE_TIME (here
// 2 s), but with no user action for MAX_UNATTENDED_TIME (here 6 s) the container is released
// and its processes are recorded as stopped, with the reason.

const IDLE_MS = 2_000;
const UNATTENDED_MS = 6_000;

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine({ maxIdleTimeMs: IDLE_MS, maxUnattendedMs: UNATTENDED_MS }));
});
afterAll(() => engine.stop());

async function setup() {
  const u = await makeUser();
  const user: AuthUser = { id: u.id, email: u.email, role: "user", via: "session", scopes: sessionScopes("user"), apiKeyId: null, defaultAiPersonality: null };
  const project = async () => (await projectRepository.create({ name: "u", description: null, userId: u.id, createdByAi: null, templateType: null })).id;
  return { user, chatty: await project(), silent: await project() };
}

const ended = async (id: number) => {
  const row = await processRepository.findWithOutput(id);
  return row && row.status !== "running" ? row : null;
};

describe(`unattended containers under ${testRuntime()}`, () => {
  it("a process that prints keeps its container past the idle time, but not past the unattended ceiling", async () => {
    const { user, chatty, silent } = await setup();
    const printer = await startProcess({ user, ai: null }, chatty, { command: "while true; do echo tick; sleep 0.3; done", port: null }, getEnv());
    const started = Date.now();
    const sleeper = await startProcess({ user, ai: null }, silent, { command: "sleep 600", port: null }, getEnv());

    // Past the idle time, output still holds the printer's container... (checked first, at a
    // fixed point well before the ceiling, however long the silent one's release takes)
    while (Date.now() - started < IDLE_MS + 1_500) await new Promise((r) => setTimeout(r, 100));
    expect(await ended(printer.id)).toBeNull();
    expect(engine.spawnedProcesses(String(chatty))).toBeGreaterThan(0);

    // ...while the silent one goes at the idle time; its end says why.
    await eventually(async () => (await ended(sleeper.id)) !== null, 20_000);
    const slept = (await ended(sleeper.id))!;
    expect(slept.status).toBe("stopped");
    expect(slept.output).toContain("pantheon: stopped: its container was released (idle)");

    // The printer's container stays until no user action for the ceiling: released, and the process is recorded as stopped, with the reason.
    await eventually(async () => (await ended(printer.id)) !== null, UNATTENDED_MS + 20_000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(UNATTENDED_MS - 500);
    const row = (await ended(printer.id))!;
    expect(row.status).toBe("stopped");
    expect(row.output).toContain("tick\n");
    expect(row.output).toContain(`pantheon: stopped: no user action for ${UNATTENDED_MS / 1000} s (SANDBOX_MAX_UNATTENDED_TIME)`);
    // The holder is free again: the row no longer names a container.
    await eventually(async () => (await projectRepository.findById(chatty))?.containerId === null);
    expect(engine.spawnedProcesses(String(chatty))).toBe(0);
  }, 90_000);
});

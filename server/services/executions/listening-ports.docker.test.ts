import { getEnv } from "@/lib/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { startAppEngine } from "@/test/support/app-engine";
import { keyFor, makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { actorFor } from "@/server/auth/actor";
import { projectRepository } from "@/server/repositories/project-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { runExecution } from "@/server/services/executions/execution-service";

// Issue 19 point 5: a server started with Run ends at the run's time limit with exit 137, printing
// an address nobody can reach. The execution records the ports it served (named in its output and
// confirmed by the container's socket table, or found there alone for a silent server), and its
// stderr states the limit and how to start it as a background process with a preview.

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

async function userAndProject() {
  const u = await makeUser();
  const user = await sessionAuthUser(u.id);
  const project = await projectRepository.create({ name: "ports", description: null, userId: u.id, createdByAi: null, templateType: null });
  return { user, project };
}

const server = (port: number, say: string) => `node -e "require('http').createServer((q, s) => s.end('hi')).listen(${port}, '127.0.0.1', () => { ${say} })"`;

describe("a run that serves a port", () => {
  it("that prints its address: timed out with the port recorded and the way to a background process told", async () => {
    const { user, project } = await userAndProject();
    const command = server(5173, "console.log('  Local:   http://127.0.0.1:5173/')");
    const run = await runExecution(actorFor(user), project.id, { kind: "command", command, timeoutMs: 6_000 }, getEnv());
    expect(run.status).toBe("timeout");
    expect(run.exitCode).toBe(137);
    expect(run.listeningPorts).toEqual([5173]);
    expect(run.errorOutput).toContain("pantheon: stopped at the run's time limit of 6 s (exit 137) while serving on port 5173.");
    expect(run.errorOutput).toContain(`POST /api/sandbox/projects/${project.id}/processes ${JSON.stringify({ command, port: 5173 })}`);
    expect(run.notice).not.toBe("");
    expect(run.errorOutput?.endsWith(run.notice)).toBe(true);
  });

  it("that prints nothing: found in the container's socket table", async () => {
    const { user, project } = await userAndProject();
    const run = await runExecution(actorFor(user), project.id, { kind: "command", command: server(4321, ""), timeoutMs: 7_000 }, getEnv());
    expect(run.status).toBe("timeout");
    expect(run.listeningPorts).toEqual([4321]);
    expect(run.errorOutput).toContain("while serving on port 4321");
  });

  it("a crash that names a port it never served, and a plain timeout: no port; the limit is still stated", async () => {
    const { user, project } = await userAndProject();
    const crash = await runExecution(
      actorFor(user),
      project.id,
      {
        kind: "command",
        command: `node -e "console.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:5173'); process.exit(1)"`,
      },
      getEnv(),
    );
    expect(crash).toMatchObject({ status: "error", exitCode: 1, listeningPorts: [], notice: "" });

    const slow = await runExecution(actorFor(user), project.id, { kind: "command", command: "sleep 30", timeoutMs: 2_000 }, getEnv());
    expect(slow.status).toBe("timeout");
    expect(slow.listeningPorts).toEqual([]);
    expect(slow.errorOutput).toContain("pantheon: stopped at the run's time limit of 2 s");
    expect(slow.errorOutput).toContain(`a program meant to keep running belongs in a background process`);
  });

  it("REST: the execution answers listening_ports and the hint in error_output", async () => {
    const owner = await makeUser();
    const headers = { authorization: `Bearer ${await keyFor(owner, { name: "ports" })}`, "content-type": "application/json" };
    const created = await createProject(
      new Request("http://localhost/api/sandbox/projects", { method: "POST", headers, body: JSON.stringify({ name: "rest ports" }) }),
    );
    const { id } = (await created.json()) as { id: number };
    const command = server(8080, "console.log('API listening on http://127.0.0.1:8080')");
    const res = await execute(
      new Request(`http://localhost/api/sandbox/projects/${id}/execute`, { method: "POST", headers, body: JSON.stringify({ command, timeout: 5 }) }),
      { params: Promise.resolve({ id: String(id) }) },
    );
    const body = (await res.json()) as { status: string; listening_ports: number[]; error_output: string };
    expect(body).toMatchObject({ status: "timeout", listening_ports: [8080] });
    expect(body.error_output).toContain("time limit of 5 s (exit 137) while serving on port 8080");
  });
});

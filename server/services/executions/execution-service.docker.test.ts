import { getEnv } from "@/lib/env";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { makeUser } from "@/test/fixtures/accounts";
import { actorFor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { sessionScopes } from "@/server/auth/auth-user";
import { fileRepository } from "@/server/repositories/file-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { runExecution } from "./execution-service";

// The database is the durable copy of a project's files: executions read it and write back to
// it, and a container that dies loses nothing that a finished execution produced.

let engine: SandboxEngine;
let docker: Awaited<ReturnType<typeof startAppEngine>>["docker"];
beforeAll(async () => {
  ({ engine, docker } = await startAppEngine());
});
afterAll(() => engine.stop());

async function userAndProject() {
  const u = await makeUser();
  const user: AuthUser = {
    id: u.id,
    email: u.email,
    role: "user",
    via: "api_key",
    scopes: sessionScopes("user"),
    apiKeyId: null,
    defaultAiPersonality: "gemini",
  };
  const project = await projectRepository.create({ name: "p", description: null, userId: u.id, createdByAi: null, templateType: null });
  return { user, project };
}

describe("executions against the database-backed workspace", () => {
  it("see the stored files, write their changes back, and are recorded with who ran them", async () => {
    const { user, project } = await userAndProject();
    await fileRepository.applyChanges(
      project.id,
      [
        {
          filePath: "src/main.js",
          content: "require('fs').writeFileSync('out/result.txt', 'made by run'); console.log('hello from', process.version)",
          encoding: "utf8",
          sizeBytes: 10,
          version: "0".repeat(64),
          fileType: "javascript",
          isEntryPoint: true,
        },
      ],
      [],
    );

    const events: ExecutionEvent[] = [];
    const result = await runExecution(actorFor(user), project.id, { kind: "command", command: "mkdir -p out && node src/main.js" }, getEnv(), {
      onEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ status: "success", exitCode: 0, executedByAi: "gemini", userId: user.id, executionType: "run" });
    expect(result.output).toContain("hello from v");
    expect(events.at(-1)?.type).toBe("exit");

    const stored = await fileRepository.find(project.id, "out/result.txt");
    expect(stored?.content).toBe("made by run");
    expect((await fileRepository.find(project.id, "src/main.js"))?.isEntryPoint).toBe(true);

    const db = new pg.Client(inject("databaseUrl"));
    await db.connect();
    const { rows } = await db.query("SELECT status, exit_code, executed_by_ai, execution_time_ms, finished_at, output FROM sandbox_executions WHERE id = $1", [
      result.id,
    ]);
    await db.end();
    expect(rows[0]).toMatchObject({ status: "success", exit_code: 0, executed_by_ai: "gemini" });
    expect(rows[0].finished_at).not.toBeNull();
  });

  it("lose no file when the container dies: the next execution gets a fresh one with the files restored", async () => {
    const { user, project } = await userAndProject();
    await runExecution(
      actorFor(user),
      project.id,
      {
        kind: "command",
        command: "echo kept > kept.txt && printf '\\x00\\x01\\xff' > bin.dat && chmod +x kept.txt",
      },
      getEnv(),
    );
    const firstContainer = (await projectRepository.findById(project.id))?.containerId;
    expect(firstContainer).toBeTruthy();
    await docker.getContainer(firstContainer ?? "").kill();
    const after = await runExecution(
      actorFor(user),
      project.id,
      {
        kind: "command",
        command: "cat kept.txt && od -An -tx1 bin.dat && test -x kept.txt && echo exec-bit-kept",
      },
      getEnv(),
    );
    expect(after.status).toBe("success");
    expect((await projectRepository.findById(project.id))?.containerId).not.toBe(firstContainer);
    expect(after.output).toContain("kept");
    expect(after.output).toMatch(/00 01 ff/);
    expect(after.output).toContain("exec-bit-kept");
  });

  it("record output holding NUL and invalid UTF-8 exactly (text with U+FFFD for the invalid byte, and its bytes)", async () => {
    const { user, project } = await userAndProject();
    const result = await runExecution(actorFor(user), project.id, { kind: "command", command: "printf 'a\\000b\\377c'; printf 'e\\000' >&2" }, getEnv());
    expect(result.status, result.errorOutput ?? "").toBe("success");
    expect(result.output).toBe("a\u0000b\uFFFDc");
    expect(Buffer.from(result.outputBase64 ?? "", "base64")).toEqual(Buffer.from([0x61, 0, 0x62, 0xff, 0x63]));
    expect(result).toMatchObject({ errorOutput: "e\u0000", errorOutputBase64: null });
  });

  it("refuse another user's project as not found, and a bad request before any row is written", async () => {
    const { project } = await userAndProject();
    const { user: stranger } = await userAndProject();
    await expect(runExecution(actorFor(stranger), project.id, { kind: "command", command: "true" }, getEnv())).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { user, project: own } = await userAndProject();
    await expect(runExecution(actorFor(user), own.id, { kind: "code", language: "cobol" as never, code: "x" }, getEnv())).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("unknown language"),
    });
    await expect(runExecution(actorFor(user), own.id, { kind: "command", command: "true", timeoutMs: 10_000_000 }, getEnv())).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("ceiling"),
    });
  });
});

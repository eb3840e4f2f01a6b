import { getEnv } from "@/lib/env";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { fileRepository } from "@/server/repositories/file-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { runAndWait } from "./run-and-wait";

// refactorCode / addFeature on the real engine: a verification that fails or hangs leaves the
// project byte-exact as it was, in the database and in the live container, which agree.

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("base64");
const OTHER_BYTES = Buffer.from([0, 0, 0xff, 0x10]).toString("base64");
const LISTING =
  'find . -type f | sort | while read f; do printf \'%s %s %s\\n\' "$(sha256sum "$f" | cut -c1-64)" "$([ -x "$f" ] && echo x || echo -)" "${f#./}"; done';

async function setUp() {
  const user = await makeUser();
  const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"], "geppo");
  const { id: projectId } = await caller.projects.create({ name: "verified change set" });
  await caller.files.writeMany({
    projectId,
    writes: [
      { path: "lib.js", content: "module.exports = (a, b) => a + b;\n" },
      { path: "data.bin", content: ALL_BYTES, encoding: "base64" },
      { path: "run.sh", content: "#!/bin/sh\nnode -e \"console.log(require('./lib.js')(1, 2))\"\n" },
    ],
    deletes: [],
  });
  const authUser = await sessionAuthUser(user.id);
  // The execute bit comes from the container, as a person's chmod in the terminal would set it. The
  // engine's sync notices changed size or mtime, not a mode alone (noted for the engine), hence touch.
  await runAndWait({ user: authUser, ai: null }, projectId, { kind: "command", command: "chmod +x run.sh && sleep 0.01 && touch run.sh" }, getEnv());
  return { user, caller, projectId, authUser };
}

/** What the database holds, as the container listing prints it: sha-256, execute bit, path. */
async function databaseListing(projectId: number): Promise<string> {
  const files = await fileRepository.listWithContent(projectId);
  return files
    .map((f) => {
      const bytes = Buffer.from(f.content ?? "", f.encoding === "base64" ? "base64" : "utf8");
      return `${createHash("sha256").update(bytes).digest("hex")} ${f.isExecutable ? "x" : "-"} ${f.filePath}`;
    })
    .sort((a, b) => a.split(" ")[2]!.localeCompare(b.split(" ")[2]!))
    .join("\n");
}

async function containerListing(user: Awaited<ReturnType<typeof sessionAuthUser>>, projectId: number): Promise<string> {
  const run = await runAndWait({ user, ai: null }, projectId, { kind: "command", command: LISTING }, getEnv());
  expect(run.status).toBe("success");
  return (run.output ?? "").trim();
}

const changes = [
  { op: "write" as const, path: "lib.js", content: "module.exports = (a, b) => a - b;\n" },
  { op: "write" as const, path: "data.bin", content: OTHER_BYTES, encoding: "base64" as const },
  { op: "delete" as const, path: "run.sh" },
  { op: "write" as const, path: "tool.sh", content: "#!/bin/sh\necho tool\n", executable: true },
  { op: "write" as const, path: "src/new.txt", content: "new" },
];

describe("ai.refactorCode / ai.addFeature on the real engine", () => {
  it("a failing verification rolls back byte-exact (text, binary, execute bits), and the container agrees with the database", async () => {
    const { caller, projectId, authUser } = await setUp();
    const db = await databaseListing(projectId);
    expect(db).toContain(" x run.sh");
    expect(await containerListing(authUser, projectId)).toBe(db);

    const result = await caller.ai.refactorCode({
      projectId,
      description: "subtract instead",
      changes,
      // It also leaves a file behind: the rollback removes it too.
      verify: "test -x tool.sh && echo junk > junk.txt && node -e \"process.exit(require('./lib.js')(1, 2) === 3 ? 0 : 3)\"",
    });
    expect(result).toMatchObject({ applied: false, rolledBack: true, verification: { status: "error", exitCode: 3 } });
    expect(result.rollbackCheckpointId).toBeGreaterThan(result.checkpointId!);
    expect(await databaseListing(projectId)).toBe(db);
    expect(await containerListing(authUser, projectId)).toBe(db);
  });

  it("a hanging verification times out and is rolled back", async () => {
    const { caller, projectId, authUser } = await setUp();
    const db = await databaseListing(projectId);
    const result = await caller.ai.addFeature({ projectId, description: "hang", changes, verify: "sleep 600", timeoutSeconds: 3 });
    expect(result).toMatchObject({ applied: false, rolledBack: true, verification: { status: "timeout" } });
    expect(await databaseListing(projectId)).toBe(db);
    expect(await containerListing(authUser, projectId)).toBe(db);
  });

  it("a passing verification keeps the change set, in both places; restoring the checkpoint before it undoes it", async () => {
    const { caller, projectId, authUser } = await setUp();
    const db = await databaseListing(projectId);
    const before = (await caller.checkpoints.list({ projectId })).checkpoints[0]!;
    const result = await caller.ai.addFeature({ projectId, description: "add a tool", changes, verify: "./tool.sh" });
    expect(result).toMatchObject({ applied: true, rolledBack: false, rollbackCheckpointId: null, verification: { status: "success", output: "tool\n" } });
    const applied = await databaseListing(projectId);
    expect(applied).toContain(" x tool.sh");
    expect(applied).not.toContain("run.sh");
    expect(await containerListing(authUser, projectId)).toBe(applied);

    await caller.checkpoints.restore({ projectId, checkpointId: before.id });
    expect(await databaseListing(projectId)).toBe(db);
    expect(await containerListing(authUser, projectId)).toBe(db);
  });

  it("a person's saves while the verification runs survive its rollback; the AI's other changes are undone", async () => {
    const { user, caller, projectId } = await setUp();
    const person = (await keyCaller(user, ["projects:read", "projects:write"])).caller;
    // The verification fails once the person's last save has reached the container, or after 30 s
    // (a save's push into the container may wait for the run to end; its record does not).
    const verify = "for i in $(seq 1 300); do [ -f go.txt ] && exit 1; sleep 0.1; done; exit 1";
    const running = caller.ai.refactorCode({
      projectId,
      description: "rewrite lib",
      verify,
      changes: [
        { op: "write", path: "lib.js", content: "module.exports = (a, b) => a - b;\n" },
        { op: "write", path: "ai-only.js", content: "// the AI's\n" },
      ],
    });
    // The change set is applied (its checkpoint exists) and its verification runs: the person saves.
    await expect.poll(async () => (await caller.checkpoints.list({ projectId })).checkpoints[0]?.source, { timeout: 60_000 }).toBe("refactor");
    const mine = await person.files.read({ projectId, path: "lib.js" });
    const apiCheckpoints = async () => (await caller.checkpoints.list({ projectId })).checkpoints.filter((c) => c.source === "api").length;
    const saves = [
      person.files.write({ projectId, path: "lib.js", content: "// the person's fix\n", baseVersion: mine.version }),
      person.files.write({ projectId, path: "notes.txt", content: "the person's notes\n", baseVersion: null }),
    ];
    // Both recorded before go.txt can end the verification.
    await expect.poll(apiCheckpoints, { timeout: 30_000 }).toBe(2);
    saves.push(person.files.write({ projectId, path: "go.txt", content: "", baseVersion: null }));
    await expect.poll(apiCheckpoints, { timeout: 30_000 }).toBe(3);

    const result = await running;
    await Promise.all(saves);
    expect(result).toMatchObject({ applied: false, rolledBack: true });
    const files = Object.fromEntries((await fileRepository.listWithContent(projectId)).map((f) => [f.filePath, f.content]));
    expect(files["lib.js"]).toBe("// the person's fix\n");
    expect(files["notes.txt"]).toBe("the person's notes\n");
    expect(files["go.txt"]).toBe("");
    expect(files["ai-only.js"]).toBeUndefined();
    const rollback = (await caller.checkpoints.list({ projectId })).checkpoints[0]!;
    expect(rollback).toMatchObject({ id: result.rollbackCheckpointId, source: "rollback" });
    expect(rollback.description).toContain("kept go.txt, lib.js, notes.txt, saved meanwhile");
  });
});

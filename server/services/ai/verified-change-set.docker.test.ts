import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyCaller } from "@/lib/testing/callers";
import { makeUser, sessionAuthUser } from "@/lib/testing/fixtures";
import { startAppEngine } from "@/lib/testing/app-engine";
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
  await runAndWait(authUser, projectId, { kind: "command", command: "chmod +x run.sh && sleep 0.01 && touch run.sh" }, null);
  return { caller, projectId, authUser };
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
  const run = await runAndWait(user, projectId, { kind: "command", command: LISTING }, null);
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
});

import { getEnv } from "@/lib/env";
import { describe, expect, it } from "vitest";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { checkpointRepository } from "@/server/repositories/checkpoint-repository";

async function ownProject(template?: "python-script") {
  const user = await makeUser();
  const session = await sessionCaller(user.id);
  const { caller: ai } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"], "c24");
  const project = await session.projects.create({ name: "history", template });
  return { user, session, ai, projectId: project.id };
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x00, 0x80]).toString("base64");

async function filesOf(caller: Awaited<ReturnType<typeof sessionCaller>>, projectId: number) {
  const tree = await caller.files.tree({ projectId });
  const out: Record<string, string> = {};
  for (const f of tree) out[f.filePath] = `${f.encoding}:${f.isExecutable ? "x" : "-"}:${(await caller.files.read({ projectId, path: f.filePath })).content}`;
  return out;
}

describe("checkpoints", () => {
  it("records each save (person in the IDE, AI over the API) with author and diff; an identical save records nothing", async () => {
    const { session, ai, projectId } = await ownProject();
    const before = (await session.checkpoints.list({ projectId })).checkpoints.length;
    await session.files.write({ projectId, path: "a.txt", content: "one\ntwo\n" });
    await ai.files.writeMany({
      projectId,
      writes: [
        { path: "a.txt", content: "one\n2\n" },
        { path: "img.png", content: PNG, encoding: "base64" },
      ],
      deletes: [],
    });
    await session.files.write({ projectId, path: "a.txt", content: "one\n2\n" });

    const { checkpoints } = await session.checkpoints.list({ projectId });
    expect(checkpoints.length - before).toBe(2);
    const [aiChange, personSave] = checkpoints;
    expect(aiChange).toMatchObject({
      source: "ai",
      author: { aiPersonality: "c24" },
      files: [
        { path: "a.txt", change: "modified" },
        { path: "img.png", change: "added" },
      ],
    });
    expect(personSave).toMatchObject({ source: "ide", author: { aiPersonality: null }, files: [{ path: "a.txt", change: "added" }] });

    const got = await session.checkpoints.get({ projectId, checkpointId: aiChange!.id });
    const text = got.diffs.find((d) => d.path === "a.txt")!;
    expect(text.before?.content).toBe("one\ntwo\n");
    expect(text.after?.content).toBe("one\n2\n");
    expect(text.diff).toContain("-two\n+2\n");
    const binary = got.diffs.find((d) => d.path === "img.png")!;
    expect(binary).toMatchObject({ change: "added", before: null, after: { binary: true, content: PNG, sizeBytes: 13 }, diff: null });
  });

  it("restores an old checkpoint byte-exact, and the restore is undone by restoring the one before it", async () => {
    const { session, projectId } = await ownProject();
    await session.files.write({ projectId, path: "a.txt", content: "v1" });
    await session.files.writeMany({ projectId, writes: [{ path: "bin/tool", content: PNG, encoding: "base64" }], deletes: [] });
    const old = (await session.checkpoints.list({ projectId })).checkpoints[0]!;
    const atOld = await filesOf(session, projectId);

    await session.files.write({ projectId, path: "a.txt", content: "v2" });
    await session.files.delete({ projectId, path: "bin" });
    await session.files.write({ projectId, path: "new.txt", content: "later" });
    const beforeRestore = await filesOf(session, projectId);
    const latest = (await session.checkpoints.list({ projectId })).checkpoints[0]!;

    const restored = await session.checkpoints.restore({ projectId, checkpointId: old.id });
    expect(restored.checkpointId).not.toBeNull();
    expect(await filesOf(session, projectId)).toEqual(atOld);
    const restoreRow = (await session.checkpoints.list({ projectId })).checkpoints[0]!;
    expect(restoreRow).toMatchObject({ id: restored.checkpointId, source: "restore", restoredFrom: old.id });

    const undo = await session.checkpoints.restore({ projectId, checkpointId: latest.id });
    expect(undo.checkpointId).not.toBeNull();
    expect(await filesOf(session, projectId)).toEqual(beforeRestore);
    // Restoring to where the project already is changes nothing and records nothing.
    expect((await session.checkpoints.restore({ projectId, checkpointId: latest.id })).checkpointId).toBeNull();
  });

  it("a restore racing saves (and saves racing each other) never overwrites one unseen: every file's history stays one chain", async () => {
    const { session, projectId } = await ownProject();
    await session.files.writeMany({
      projectId,
      writes: [
        { path: "a.txt", content: "a0" },
        { path: "b.txt", content: "b0" },
      ],
      deletes: [],
    });
    const old = (await session.checkpoints.list({ projectId })).checkpoints[0]!;
    for (let round = 1; round <= 12; round++) {
      // A save of each file (b.txt alternately deleted) lands at the same time as a restore of both.
      const saved =
        round % 2
          ? session.files.delete({ projectId, path: "b.txt" }).catch(() => null)
          : session.files.write({ projectId, path: "b.txt", content: `b${round}` });
      await Promise.all([
        session.checkpoints.restore({ projectId, checkpointId: old.id }),
        session.files.write({ projectId, path: "a.txt", content: `a${round}` }),
        session.files.write({ projectId, path: "a.txt", content: `a${round}-too` }),
        saved,
      ]);
    }
    // Each change's "before" is what the change before it left: no write landed between a
    // restore's (or another save's) read and its write without its checkpoint recording it as its base.
    const history = await checkpointRepository.fileHistory(projectId);
    for (const path of ["a.txt", "b.txt"]) {
      const chain = history.filter((f) => f.filePath === path);
      expect(chain.length).toBeGreaterThan(12);
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.beforeHash, `${path}: change ${i} of ${chain.length}`).toBe(chain[i - 1]!.afterHash);
    }
  });

  it("a delete based on an older version is refused and writes nothing", async () => {
    const { projectId } = await ownProject();
    const { applyFileChanges } = await import("@/server/services/files/apply-file-changes");
    const first = await applyFileChanges(projectId, { writes: [{ path: "d.txt", content: "one" }], deletes: [] }, null, getEnv());
    await applyFileChanges(projectId, { writes: [{ path: "d.txt", content: "two" }], deletes: [] }, null, getEnv());
    const stale = applyFileChanges(
      projectId,
      { writes: [{ path: "e.txt", content: "e" }], deletes: ["d.txt"], deleteVersions: { "d.txt": first.versions["d.txt"]! } },
      null,
      getEnv(),
    );
    await expect(stale).rejects.toMatchObject({ code: "CONFLICT" });
    const { fileRepository } = await import("@/server/repositories/file-repository");
    expect((await fileRepository.findMany(projectId, ["d.txt", "e.txt"])).map((f) => [f.filePath, f.content])).toEqual([["d.txt", "two"]]);
    // Based on the current version (or on a file that is gone already) it goes through.
    const current = (await fileRepository.find(projectId, "d.txt"))!.version;
    await applyFileChanges(projectId, { writes: [], deletes: ["d.txt"], deleteVersions: { "d.txt": current } }, null, getEnv());
    await applyFileChanges(projectId, { writes: [], deletes: ["d.txt"], deleteVersions: { "d.txt": current } }, null, getEnv());
    expect(await fileRepository.find(projectId, "d.txt")).toBeNull();
  });

  it("keeps the execute bit through an edit, and a restore brings back the bit set between checkpoints", async () => {
    const { session, projectId } = await ownProject();
    await session.files.write({ projectId, path: "run.sh", content: "#!/bin/sh\necho hi\n" });
    const first = (await session.checkpoints.list({ projectId })).checkpoints[0]!;
    // An execution that chmods a file stores the bit; simulate the engine's sync with the repository path it uses.
    const { DatabaseWorkspaceStore } = await import("@/server/services/files/database-workspace-store");
    await new DatabaseWorkspaceStore().applyChanges(String(projectId), {
      upserted: [{ path: "run.sh", content: "#!/bin/sh\necho hi\n", encoding: "utf8", size: 18, executable: true }],
      deleted: [],
      refused: [],
    });
    await session.files.write({ projectId, path: "run.sh", content: "#!/bin/sh\necho changed\n" });
    expect((await session.files.read({ projectId, path: "run.sh" })).isExecutable).toBe(true);
    const edit = (await session.checkpoints.get({ projectId, checkpointId: (await session.checkpoints.list({ projectId })).checkpoints[0]!.id })).diffs[0]!;
    expect(edit).toMatchObject({ before: { executable: true }, after: { executable: true } });
    // Restoring the first checkpoint returns the project to how it was before the next change:
    // with the execute bit the program set in between, not only what the checkpoint wrote.
    await session.checkpoints.restore({ projectId, checkpointId: first.id });
    expect(await session.files.read({ projectId, path: "run.sh" })).toMatchObject({ content: "#!/bin/sh\necho hi\n", isExecutable: true });
  });

  it("refuses bad change sets before anything is written: bad path, duplicate paths, a file over the cap, a missing file", async () => {
    const { ai, session, projectId } = await ownProject("python-script");
    const snapshot = await filesOf(session, projectId);
    const count = (await session.checkpoints.list({ projectId })).checkpoints.length;
    const base = { projectId, description: "bad", verify: "true" };
    await expect(ai.ai.refactorCode({ ...base, changes: [{ op: "write", path: "../etc/passwd", content: "x" }] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      ai.ai.refactorCode({
        ...base,
        changes: [
          { op: "write", path: "a.py", content: "x" },
          { op: "write", path: "a.py", content: "y" },
        ],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("appears twice") });
    await expect(
      ai.ai.addFeature({
        ...base,
        changes: [
          { op: "write", path: "main.py", content: "x" },
          { op: "move", from: "main.py", to: "m2.py" },
        ],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("appears twice") });
    await expect(ai.ai.addFeature({ ...base, changes: [{ op: "write", path: "big.txt", content: "x".repeat(1024 * 1024 + 1) }] })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    await expect(ai.ai.refactorCode({ ...base, changes: [{ op: "delete", path: "nope.py" }] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await filesOf(session, projectId)).toEqual(snapshot);
    expect((await session.checkpoints.list({ projectId })).checkpoints.length).toBe(count);
  });

  it("rolls back when the verification cannot even start (no engine here), and says why", async () => {
    const { ai, session, projectId } = await ownProject("python-script");
    const snapshot = await filesOf(session, projectId);
    await expect(
      ai.ai.refactorCode({
        projectId,
        description: "rename",
        changes: [
          { op: "move", from: "main.py", to: "app.py" },
          { op: "write", path: "x.bin", content: PNG, encoding: "base64" },
        ],
      }),
    ).rejects.toBeTruthy();
    expect(await filesOf(session, projectId)).toEqual(snapshot);
    const [rollback, change] = (await session.checkpoints.list({ projectId })).checkpoints;
    expect(change).toMatchObject({ source: "refactor", description: "rename", author: { aiPersonality: "c24" } });
    expect(rollback).toMatchObject({ source: "rollback", description: expect.stringContaining("could not run") });
  });

  it("keeps only CHECKPOINT_RETENTION checkpoints and drops content no kept checkpoint names", async () => {
    const { session, projectId } = await ownProject();
    for (let i = 0; i < 5; i++) await session.files.write({ projectId, path: "a.txt", content: `version ${i}` });
    expect((await checkpointRepository.storageBytes(projectId)).blobCount).toBe(5);
    await checkpointRepository.prune(projectId, 2);
    const kept = (await session.checkpoints.list({ projectId })).checkpoints;
    expect(kept.length).toBe(2);
    // The two kept checkpoints name versions 2, 3 and 4; versions 0 and 1 are gone.
    expect((await checkpointRepository.storageBytes(projectId)).blobCount).toBe(3);
    const got = await session.checkpoints.get({ projectId, checkpointId: kept[1]!.id });
    expect(got.diffs[0]).toMatchObject({ before: { content: "version 2" }, after: { content: "version 3" } });
  });

  it("100 checkpoints of a 1 MiB project stay far below a copy per checkpoint", async () => {
    const { session, projectId } = await ownProject();
    // 16 files of 64 KiB of source-like text (1 MiB), then 100 saves each changing one line of one file.
    const line = (i: number, f: number) => `export function handler_${f}_${i}(input: number): number { return input * ${i} + ${f}; }\n`;
    const files = Array.from({ length: 16 }, (_, f) => {
      let text = "";
      for (let i = 0; text.length < 64 * 1024; i++) text += line(i, f);
      return { path: `src/module-${f}.ts`, content: text.slice(0, 64 * 1024) };
    });
    await session.files.writeMany({ projectId, writes: files, deletes: [] });
    for (let n = 0; n < 99; n++) {
      const f = files[n % 16]!;
      f.content = `// edit ${n}\n${f.content.slice(f.content.indexOf("\n") + 1)}`;
      await session.files.write({ projectId, path: f.path, content: f.content });
    }
    const storage = await checkpointRepository.storageBytes(projectId);
    const projectBytes = 16 * 64 * 1024;
    console.log(
      `checkpoint storage: ${storage.checkpointCount} checkpoints, ${storage.fileRowCount} file rows, ${storage.blobCount} blobs, ${storage.blobBytes} bytes of blobs for a ${projectBytes}-byte project (a copy per checkpoint would be ${100 * projectBytes})`,
    );
    expect(storage.checkpointCount).toBe(100);
    // Stated bound: under 2 MiB in blobs for 100 checkpoints of a 1 MiB project (≥ 50× below 100 full copies).
    expect(storage.blobBytes).toBeLessThan(2 * 1024 * 1024);
  });
});

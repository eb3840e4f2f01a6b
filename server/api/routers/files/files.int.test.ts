import { describe, expect, it } from "vitest";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";

async function ownProject() {
  const user = await makeUser();
  const { caller } = await keyCaller(user, ["projects:read", "projects:write"], "geppo");
  const project = await caller.projects.create({ name: "files" });
  return { user, caller, projectId: project.id };
}

describe("files", () => {
  it("write, read, create (conflict), move a folder, delete", async () => {
    const { caller, projectId } = await ownProject();
    const written = await caller.files.write({ projectId, path: "src/a.ts", content: "export const a = 1;\n", isEntryPoint: true });
    expect(written).toMatchObject({ filePath: "src/a.ts", fileType: "typescript", sizeBytes: 20, createdByAi: "geppo", isEntryPoint: true });
    await caller.files.create({ projectId, path: "src/b.ts", content: "b", aiPersonality: "gemini" });
    await expect(caller.files.create({ projectId, path: "src/b.ts", content: "again" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await caller.files.read({ projectId, path: "src/b.ts" })).createdByAi).toBe("gemini");

    expect((await caller.files.move({ projectId, from: "src", to: "lib/src" })).moved.sort()).toEqual(["lib/src/a.ts", "lib/src/b.ts"]);
    expect((await caller.files.tree({ projectId })).map((f) => f.filePath)).toEqual(["lib/src/a.ts", "lib/src/b.ts"]);
    expect((await caller.files.read({ projectId, path: "lib/src/a.ts" })).isEntryPoint).toBe(true);
    await expect(caller.files.move({ projectId, from: "lib/src/a.ts", to: "lib/src/b.ts" })).rejects.toMatchObject({ code: "CONFLICT" });

    expect(await caller.files.delete({ projectId, path: "lib" })).toEqual({ deleted: ["lib/src/a.ts", "lib/src/b.ts"] });
    await expect(caller.files.read({ projectId, path: "lib/src/a.ts" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("writeMany is all or nothing", async () => {
    const { caller, projectId } = await ownProject();
    await caller.files.write({ projectId, path: "keep.txt", content: "k" });
    const ok = await caller.files.writeMany({
      projectId,
      writes: [
        { path: "x/1.txt", content: "1" },
        { path: "x/2.bin", content: "AAEC", encoding: "base64" },
      ],
      deletes: ["keep.txt"],
    });
    expect(ok).toMatchObject({ written: ["x/1.txt", "x/2.bin"], deleted: ["keep.txt"], checkpointId: expect.any(Number) });
    expect((await caller.files.read({ projectId, path: "x/2.bin" })).sizeBytes).toBe(3);

    const big = "x".repeat(1_048_577);
    await expect(
      caller.files.writeMany({
        projectId,
        writes: [
          { path: "y.txt", content: "fine" },
          { path: "z.txt", content: big },
        ],
      }),
    ).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("SANDBOX_MAX_FILE_SIZE") });
    await expect(caller.files.read({ projectId, path: "y.txt" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses bad paths with a reason, writing nothing", async () => {
    const { caller, projectId } = await ownProject();
    for (const path of ["../etc/passwd", "/abs", "a\u0000b", "a\\b", "a/./b", "a//b", `${"d/".repeat(40)}f`, "x".repeat(600)]) {
      await expect(caller.files.write({ projectId, path, content: "x" }), path).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(caller.files.write({ projectId, path: "b.bin", content: "not base64!", encoding: "base64" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await caller.files.tree({ projectId })).toEqual([]);
  });

  it("a public project's files are readable by others, never writable", async () => {
    const { caller, projectId } = await ownProject();
    await caller.files.write({ projectId, path: "r.md", content: "hi" });
    await caller.projects.update({ projectId, isPublic: true });
    const other = await sessionCaller((await makeUser()).id);
    expect((await other.files.read({ projectId, path: "r.md" })).content).toBe("hi");
    await expect(other.files.write({ projectId, path: "r.md", content: "defaced" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.files.delete({ projectId, path: "r.md" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

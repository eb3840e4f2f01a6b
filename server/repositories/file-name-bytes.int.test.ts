import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { DatabaseWorkspaceStore } from "@/server/services/files/database-workspace-store";
import { contentVersion } from "@/server/services/files/file-version";
import { fileRepository } from "./file-repository";
import { projectRepository } from "./project-repository";

// Issue 12 point 2, file names: a name that is not valid UTF-8 is stored exactly (path_bytes,
// migration 20261203035000_file_name_bytes) under its escaped path (byte-names.ts), which stays
// the (project_id, file_path) key. The table itself refuses a row whose two columns disagree.

let db: pg.Client;
beforeAll(async () => {
  db = new pg.Client(inject("databaseUrl"));
  await db.connect();
});
afterAll(() => db.end());

async function project() {
  const user = await makeUser();
  return projectRepository.create({ name: "names", description: null, userId: user.id, createdByAi: null, templateType: null });
}

const upsert = (filePath: string, content: string) => ({
  filePath,
  content,
  encoding: "utf8",
  sizeBytes: content.length,
  version: contentVersion(content, "utf8"),
  fileType: null,
});

describe("file names that are not UTF-8 in sandbox_files", () => {
  it("keeps the exact bytes beside the escaped path, only for such names, and lists them in base64", async () => {
    const p = await project();
    const applied = await fileRepository.applyChanges(p.id, [upsert("\\xff\\xfe.bin", "ab"), upsert("caf\\xe9/x.txt", "cd"), upsert("café.txt", "ef")], []);
    expect(applied.ok).toBe(true);
    const { rows } = await db.query<{ file_path: string; path_bytes: Buffer | null }>(
      "SELECT file_path, path_bytes FROM sandbox_files WHERE project_id = $1 ORDER BY file_path",
      [p.id],
    );
    expect(rows.map((r) => [r.file_path, r.path_bytes?.toString("hex") ?? null])).toEqual([
      ["\\xff\\xfe.bin", "fffe2e62696e"],
      ["caf\\xe9/x.txt", "636166e92f782e747874"],
      ["café.txt", null],
    ]);
    const listed = await fileRepository.listMeta(p.id);
    expect(listed.map((f) => [f.filePath, f.pathBase64])).toEqual([
      ["\\xff\\xfe.bin", "//4uYmlu"],
      ["caf\\xe9/x.txt", "Y2Fm6S94LnR4dA=="],
      ["café.txt", null],
    ]);
    expect((await fileRepository.find(p.id, "\\xff\\xfe.bin"))?.pathBase64).toBe("//4uYmlu");

    // The engine loads the name from its bytes.
    const loaded = await new DatabaseWorkspaceStore().loadFiles(String(p.id));
    expect(loaded.map((f) => f.path)).toEqual(["\\xff\\xfe.bin", "caf\\xe9/x.txt", "café.txt"]);

    // One name, one row: a rewrite updates it; deleting by the escaped path removes it.
    await fileRepository.applyChanges(p.id, [upsert("\\xff\\xfe.bin", "new")], ["caf\\xe9/x.txt"]);
    expect((await fileRepository.listWithContent(p.id)).map((f) => [f.filePath, f.content])).toEqual([
      ["\\xff\\xfe.bin", "new"],
      ["café.txt", "ef"],
    ]);
  });

  it("never stores a path that is not the canonical escaped form (the repository is the last check)", async () => {
    const p = await project();
    for (const bad of ["\\xFF.bin", "\\xc3\\xa9.txt", "a\\b", "\\xff/../x"])
      await expect(fileRepository.applyChanges(p.id, [upsert(bad, "x")], []), bad).rejects.toThrow(/unacceptable path/);
    expect(await fileRepository.listMeta(p.id)).toEqual([]);
  });

  it("the table refuses a row whose path and bytes disagree (CHECK sandbox_files_path_bytes_escaped)", async () => {
    const p = await project();
    const insert = (path: string, bytes: Buffer | null) =>
      db.query("INSERT INTO sandbox_files (project_id, file_path, path_bytes, content, content_sha256) VALUES ($1, $2, $3, '', $4)", [
        p.id,
        path,
        bytes,
        "0".repeat(64),
      ]);
    await expect(insert("\\xff.bin", null)).rejects.toMatchObject({ code: "23514" });
    await expect(insert("plain.txt", Buffer.from("plain.txt"))).rejects.toMatchObject({ code: "23514" });
    await insert("plain.txt", null);
  });

  it("a project created with such a file stores its bytes too", async () => {
    const user = await makeUser();
    const p = await projectRepository.createWithFiles(
      { name: "tpl", description: null, userId: user.id, createdByAi: null, templateType: null, isPublic: false },
      [{ ...upsert("\\xfa.txt", "t"), isEntryPoint: false, isExecutable: false, createdByAi: null }],
    );
    expect((await fileRepository.listMeta(p.id)).map((f) => f.pathBase64)).toEqual([Buffer.from([0xfa, 0x2e, 0x74, 0x78, 0x74]).toString("base64")]);
  });
});

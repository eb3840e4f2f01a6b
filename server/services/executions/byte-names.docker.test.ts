import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { GET as listFilesRest, POST as writeFileRest } from "@/app/api/sandbox/projects/[id]/files/route";
import { GET as readContentRest } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { sessionCaller } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { projectRepository } from "@/server/repositories/project-repository";
import { testRuntime } from "@/test/support/docker-test-engine";
import type { SandboxEngine } from "@/server/sandbox/engine";

// Issue 12 point 2: a file whose name is not valid UTF-8 is stored exactly (path_bytes beside its
// escaped path, byte-names.ts), loaded byte for byte into a fresh container, listed with how it is
// encoded (path_base64), and addressed by its escaped path through REST and tRPC. Names that are
// hostile whatever their bytes (a newline, too long) are still refused by name.

const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });

let engine: SandboxEngine;
let db: pg.Client;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
  db = new pg.Client(inject("databaseUrl"));
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await engine.stop();
});

type ExecutionBody = { status: string; output: string; output_base64: string | null; skipped_files: { path: string; reason: string; detail: string | null }[] };
type FileJson = { path: string; path_base64: string | null; size_bytes: number };

/** Every name under /workspace as hex bytes, each ended by NUL, in byte order: what `ls | od -c` shows, unambiguously. */
const LIST_NAMES = "find . -mindepth 1 -printf '%P\\0' | LC_ALL=C sort -z | od -An -v -tx1 | tr -s ' \\n' ' '";
const hexName = (name: Buffer) => [...name, 0].map((b) => b.toString(16).padStart(2, "0")).join(" ");
const hex = (...names: Buffer[]) => ` ${names.sort(Buffer.compare).map(hexName).join(" ")} `;

describe(`file names that are not UTF-8 under ${testRuntime()}`, () => {
  it("are stored exactly, listed with their encoding, addressed by escaped path, and restored byte for byte", async () => {
    const user = await makeUser();
    const project = await projectRepository.create({ name: "byte-names", description: null, userId: user.id, createdByAi: null, templateType: null });
    const headers = { authorization: `Bearer ${await keyFor(user, { name: "byte-names" })}`, "content-type": "application/json" };
    const run = async (command: string) => {
      const res = await execute(
        new Request(`http://localhost/api/sandbox/projects/${project.id}/execute`, { method: "POST", headers, body: JSON.stringify({ command, timeout: 30 }) }),
        params(project.id),
      );
      expect(res.status).toBe(200);
      return (await res.json()) as ExecutionBody;
    };
    const caller = await sessionCaller(user.id);
    try {
      const long = "\\xff".repeat(130); // 130 invalid bytes: a legal Linux name, but 520 characters escaped (> VARCHAR(500))
      const first = await run(
        `printf ab > $'\\xff\\xfe.bin'; mkdir $'caf\\xe9'; printf cd > $'caf\\xe9/x.txt'; printf nl > $'\\xff\\nx'; printf l > $'${long}'; printf ok > ok.txt`,
      );
      expect(first.status).toBe("success");
      // Hostile whatever the bytes: refused by name, escaped (the newline shown as itself, JSON-quoted).
      expect(first.skipped_files.map((f) => [f.path, f.reason, f.detail]).sort()).toEqual(
        [
          ["\\xff\nx", "invalid-path", "control character in path"],
          [long, "invalid-path", "escaped path longer than 500 characters"],
        ].sort(),
      );

      // Stored exactly: path_bytes holds the name's bytes, file_path its escaped path; UTF-8 names have no bytes.
      const { rows } = await db.query<{ file_path: string; path_bytes: Buffer | null; content: string }>(
        "SELECT file_path, path_bytes, content FROM sandbox_files WHERE project_id = $1 ORDER BY file_path",
        [project.id],
      );
      expect(rows.map((r) => [r.file_path, r.path_bytes?.toString("hex") ?? null, r.content])).toEqual([
        ["\\xff\\xfe.bin", "fffe2e62696e", "ab"],
        ["caf\\xe9/x.txt", "636166e92f782e747874", "cd"],
        ["ok.txt", null, "ok"],
      ]);

      // REST list: the escaped path and the exact bytes in base64.
      const listed = (await (
        await listFilesRest(new Request(`http://localhost/api/sandbox/projects/${project.id}/files`, { headers }), params(project.id))
      ).json()) as {
        files: FileJson[];
      };
      expect(listed.files.map((f) => [f.path, f.path_base64])).toEqual([
        ["\\xff\\xfe.bin", Buffer.from([0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e]).toString("base64")],
        ["caf\\xe9/x.txt", Buffer.from("636166e92f782e747874", "hex").toString("base64")],
        ["ok.txt", null],
      ]);
      // REST read by the escaped path (URL-encoded), tRPC tree and read the same.
      const content = await readContentRest(
        new Request(`http://localhost/api/sandbox/projects/${project.id}/files/content?path=${encodeURIComponent("caf\\xe9/x.txt")}`, { headers }),
        params(project.id),
      );
      expect(content.status).toBe(200);
      expect(await content.json()).toMatchObject({ path: "caf\\xe9/x.txt", path_base64: "Y2Fm6S94LnR4dA==", content: "cd" });
      const tree = await caller.files.tree({ projectId: project.id });
      expect(tree.find((f) => f.filePath === "\\xff\\xfe.bin")?.pathBase64).toBe("//4uYmlu");
      expect((await caller.files.read({ projectId: project.id, path: "\\xff\\xfe.bin" })).content).toBe("ab");
      // A non-canonical spelling of the same name addresses nothing (uppercase hex is refused).
      await expect(caller.files.read({ projectId: project.id, path: "\\xFF\\xFE.bin" })).rejects.toThrow(/only lowercase/);

      // Through the API: create one more such name by its escaped path; delete another.
      const created = await writeFileRest(
        new Request(`http://localhost/api/sandbox/projects/${project.id}/files`, {
          method: "POST",
          headers,
          body: JSON.stringify({ path: "api\\xfa.txt", content: "api" }),
        }),
        params(project.id),
      );
      expect(created.status).toBeLessThan(300);
      expect(((await created.json()) as FileJson).path_base64).toBe(Buffer.from([0x61, 0x70, 0x69, 0xfa, 0x2e, 0x74, 0x78, 0x74]).toString("base64"));
      await caller.files.delete({ projectId: project.id, path: "caf\\xe9/x.txt" });

      // The live container saw both (mirrored through the agent), byte for byte.
      // (The refused names are still there until the container goes: each saved name is looked for.)
      const live = ` ${(await run(LIST_NAMES)).output.trim()} `;
      for (const name of ["fffe2e62696e", "636166e9", "617069fa2e747874", "6f6b2e747874"]) expect(live).toContain(` ${hexName(Buffer.from(name, "hex"))} `);
      expect(live).not.toContain(` ${hexName(Buffer.from("636166e92f782e747874", "hex"))} `); // caf\xe9/x.txt was deleted

      // Release the container: the next run is a fresh one, loaded from the store.
      await engine.releaseProject(String(project.id));
      const fresh = await run(`${LIST_NAMES}; echo; cat $'\\xff\\xfe.bin' $'api\\xfa.txt'`);
      const [listing, cat] = fresh.output.split("\n");
      // The deleted file's folder is gone too: a store holds files, folders are their prefixes.
      expect(` ${listing?.trim()} `).toBe(hex(Buffer.from("fffe2e62696e", "hex"), Buffer.from("617069fa2e747874", "hex"), Buffer.from("ok.txt")));
      expect(cat).toBe("abapi");
      expect(fresh.skipped_files).toEqual([]);
    } finally {
      await engine.releaseProject(String(project.id));
    }
  });
});

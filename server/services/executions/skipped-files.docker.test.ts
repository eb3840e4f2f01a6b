import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { sessionCaller } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { fileRepository } from "@/server/repositories/file-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { testRuntime } from "@/test/support/docker-test-engine";
import { type FileChange, getFileChangeHub } from "@/server/services/files/file-change-hub";

// Issue 18 point 8: a file whose name holds a newline is refused visibly — the execution's
// answer (REST and tRPC), its stderr and the file change feed say which file and why — and never
// takes a good file with it. Names that are not UTF-8 are saved under their escaped paths
// (issue 12 point 2, byte-names.docker.test.ts); with a newline as well they are refused too.

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });
const BAD_NAMES = `printf good > good.txt; printf x > $'\\xff\\xfe.txt'; printf y > $'new\\nline.txt'; mkdir $'d\\xe9'; printf z > $'d\\xe9/inner.txt'; printf ok > $'caf\\xc3\\xa9.txt'; printf w > $'\\xff\\nw'`;

describe(`file names that cannot be stored under ${testRuntime()}`, () => {
  it("are refused visibly in the REST answer, tRPC, stderr and the file feed; good files (and names that are not UTF-8) are saved", async () => {
    const user = await makeUser();
    const project = await projectRepository.create({ name: "names", description: null, userId: user.id, createdByAi: null, templateType: null });
    const changes: FileChange[] = [];
    const feed = getFileChangeHub().subscribe(project.id, null, (c) => changes.push(c));
    try {
      const headers = { authorization: `Bearer ${await keyFor(user, { name: "names" })}`, "content-type": "application/json" };
      const req = new Request(`http://localhost/api/sandbox/projects/${project.id}/execute`, {
        method: "POST",
        headers,
        body: JSON.stringify({ command: BAD_NAMES, timeout: 30 }),
      });
      const res = await execute(req, params(project.id));
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        id: number;
        status: string;
        error_output: string;
        skipped_files: { path: string; reason: string; detail: string | null }[];
      };
      expect(body.status).toBe("success");
      const byPath = new Map(body.skipped_files.map((f) => [f.path, f]));
      expect([...byPath.keys()].sort()).toEqual(["\\xff\nw", "new\nline.txt"].sort());
      expect(byPath.get("\\xff\nw")).toMatchObject({ reason: "invalid-path", detail: "control character in path" });
      expect(byPath.get("new\nline.txt")).toMatchObject({ reason: "invalid-path", detail: "control character in path" });
      // Said in the output too (JSON-quoted: a newline in a name cannot forge a line).
      expect(body.error_output).toContain('pantheon: not saved: "\\\\xff\\nw" (invalid-path: control character in path)');
      expect(body.error_output).toContain('pantheon: not saved: "new\\nline.txt" (invalid-path: control character in path)');

      const stored = (await fileRepository.listWithContent(project.id)).map((f) => [f.filePath, f.content]);
      expect(stored.sort()).toEqual([
        ["\\xff\\xfe.txt", "x"],
        ["café.txt", "ok"],
        ["d\\xe9/inner.txt", "z"],
        ["good.txt", "good"],
      ]);

      // tRPC: the same list on the execution.
      const caller = await sessionCaller(user.id);
      const viaTrpc = await caller.executions.get({ executionId: body.id });
      expect(viaTrpc.skippedFiles.map((f) => f.path).sort()).toEqual([...byPath.keys()].sort());

      // The feed: one execution change naming the saved files and the refused ones.
      const change = changes.find((c) => c.source === "execution");
      expect(change?.upserted.sort()).toEqual(["\\xff\\xfe.txt", "café.txt", "d\\xe9/inner.txt", "good.txt"].sort());
      expect(change?.refused.map((f) => f.path).sort()).toEqual([...byPath.keys()].sort());

      // Nothing changed since: the next run reports nothing again, and the good files stay.
      const again = await execute(new Request(req.url, { method: "POST", headers, body: JSON.stringify({ command: "cat good.txt" }) }), params(project.id));
      const second = (await again.json()) as { output: string; skipped_files: unknown[] };
      expect(second).toMatchObject({ output: "good", skipped_files: [] });
    } finally {
      feed.unsubscribe();
      await engine.releaseProject(String(project.id));
    }
  });
});

import { getEnv } from "@/lib/env";
import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { GET as latestOutput } from "@/app/api/sandbox/projects/[id]/output/route";
import { sessionCaller } from "@/test/support/callers";
import { keyFor, makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { fileRepository } from "@/server/repositories/file-repository";
import { processRepository } from "@/server/repositories/process-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { eventually, testRuntime } from "@/test/support/docker-test-engine";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { processEvents } from "@/server/services/processes/process-events";
import { getProcess, startProcess } from "@/server/services/processes/process-service";

// Issue 12 point 2: whatever bytes a program writes — random bytes, NUL, invalid UTF-8 — are
// stored exactly and answered safely (text, plus base64 when the text is not the bytes), through
// the service, REST (JSON and server-sent events), tRPC, and for background processes. No 5xx.

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
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

async function setup() {
  const user = await makeUser();
  const project = await projectRepository.create({ name: "bytes", description: null, userId: user.id, createdByAi: null, templateType: null });
  const headers = { authorization: `Bearer ${await keyFor(user, { name: "bytes" })}`, "content-type": "application/json" };
  const run = (command: string, extra: Record<string, string> = {}) =>
    execute(
      new Request(`http://localhost/api/sandbox/projects/${project.id}/execute`, {
        method: "POST",
        headers: { ...headers, ...extra },
        body: JSON.stringify({ command, timeout: 30 }),
      }),
      params(project.id),
    );
  return { user, project, headers, run };
}

type ExecutionBody = {
  id: number;
  status: string;
  output: string;
  output_base64: string | null;
  error_output: string;
  error_output_base64: string | null;
  skipped_files: { path: string; reason: string; detail: string | null }[];
};

/** The bytes an answer stands for: base64 when given, else the text itself. */
const bytesOf = (text: string, base64: string | null | undefined) => (base64 == null ? Buffer.from(text, "utf8") : Buffer.from(base64, "base64"));

describe(`any bytes a program writes, under ${testRuntime()}`, () => {
  it("4 KiB of /dev/urandom then NUL through REST execute: 200, stored exactly (sha256 of what the program wrote)", async () => {
    const { user, project, headers, run } = await setup();
    try {
      // The program writes the same bytes to stdout and to out.bin; stderr gets invalid UTF-8 and NUL.
      const res = await run(
        "{ head -c 4096 /dev/urandom; printf '\\0end'; } > out.bin; cat out.bin; printf 'err\\377\\376\\0x' >&2; printf 'a\\0b' > nul.txt; printf x > $'\\xff.bin'",
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as ExecutionBody;
      expect(body.status, body.error_output).toBe("success");

      // What the program says it wrote, from inside the sandbox.
      const check = (await (await run("sha256sum out.bin")).json()) as ExecutionBody;
      const programSha = check.output.split(" ")[0];
      expect(programSha).toMatch(/^[0-9a-f]{64}$/);

      // REST: text to show, the exact bytes in base64.
      expect(body.output_base64).not.toBeNull();
      expect(sha(bytesOf(body.output, body.output_base64))).toBe(programSha);
      expect(body.output.endsWith("\u0000end")).toBe(true);
      expect(body.output).not.toMatch(/[\uD800-\uDFFF]/u);
      // stderr: exactly the program's bytes (the name that is not UTF-8 is saved: no "not saved" line).
      const stderr = bytesOf(body.error_output, body.error_output_base64);
      expect(stderr).toEqual(Buffer.from([0x65, 0x72, 0x72, 0xff, 0xfe, 0x00, 0x78]));
      expect(body.error_output.startsWith("err\uFFFD\uFFFD\u0000x")).toBe(true);

      // The database: the bytea column holds exactly the bytes; the text column no NUL.
      const { rows } = await db.query("SELECT output, output_bytes FROM sandbox_executions WHERE id = $1", [body.id]);
      const row = rows[0] as { output: string; output_bytes: Buffer };
      expect(sha(row.output_bytes)).toBe(programSha);
      expect(row.output).not.toContain("\u0000");

      // The file the program wrote: stored as base64, byte-exact; its version is the same sha256.
      const file = await fileRepository.find(project.id, "out.bin");
      expect(file?.encoding).toBe("base64");
      expect(sha(Buffer.from(file?.content ?? "", "base64"))).toBe(programSha);
      expect(file?.version).toBe(programSha);
      // Valid UTF-8 holding NUL is a file too (PostgreSQL text cannot hold it): base64, exact.
      const nul = await fileRepository.find(project.id, "nul.txt");
      expect(nul && Buffer.from(nul.content ?? "", nul.encoding === "base64" ? "base64" : "utf8")).toEqual(Buffer.from("a\0b"));
      // A name that is not UTF-8: stored under its escaped path, the exact name in path_bytes (byte-names.ts).
      expect(body.skipped_files).toEqual([]);
      expect((await fileRepository.find(project.id, "\\xff.bin"))?.pathBase64).toBe(Buffer.from([0xff, 0x2e, 0x62, 0x69, 0x6e]).toString("base64"));

      // GET …/output and tRPC executions.get answer the same.
      const latest = (await (
        await latestOutput(new Request(`http://localhost/api/sandbox/projects/${project.id}/output`, { headers }), params(project.id))
      ).json()) as ExecutionBody;
      expect(latest.id).toBe(check.id);
      const viaTrpc = await (await sessionCaller(user.id)).executions.get({ executionId: body.id });
      expect(sha(bytesOf(viaTrpc.output ?? "", viaTrpc.outputBase64))).toBe(programSha);
      expect(viaTrpc.errorOutputBase64).toBe(body.error_output_base64);
    } finally {
      await engine.releaseProject(String(project.id));
    }
  });

  it("server-sent events carry NUL and invalid bytes without breaking: the events' bytes are the stored bytes", async () => {
    const { project, run } = await setup();
    try {
      const res = await run("printf 'a\\0b\\n'; head -c 3000 /dev/urandom; printf '\\0end'", { accept: "text/event-stream" });
      expect(res.status).toBe(200);
      const text = await res.text();
      const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => [m[1], JSON.parse(m[2] ?? "null")] as const);
      expect(events.map(([e]) => e).at(-1)).toBe("result");
      const streamed = Buffer.concat(
        events.filter(([e]) => e === "stdout").map(([, d]) => bytesOf((d as { data: string }).data, (d as { dataBase64?: string }).dataBase64)),
      );
      const result = events.at(-1)?.[1] as ExecutionBody;
      expect(result.status).toBe("success");
      const stored = bytesOf(result.output, result.output_base64);
      expect(stored.subarray(0, 4)).toEqual(Buffer.from("a\0b\n"));
      expect(stored.length).toBe(4 + 3000 + 4);
      expect(sha(streamed)).toBe(sha(stored));
    } finally {
      await engine.releaseProject(String(project.id));
    }
  });

  it("a background process printing NUL and invalid UTF-8: its live events and its saved row are exact", async () => {
    const { user, project } = await setup();
    try {
      const authUser = await sessionAuthUser(user.id);
      const started = await startProcess({ user: authUser, ai: null }, project.id, { command: "printf 'p\\0q\\377r\\n'; sleep 1", port: null }, getEnv());
      const seen: Buffer[] = [];
      for await (const event of processEvents(authUser, started.id, null, undefined)) {
        if (event.type === "exit") break;
        seen.push(bytesOf(event.data, event.dataBase64));
      }
      const wrote = Buffer.from([0x70, 0x00, 0x71, 0xff, 0x72, 0x0a]);
      expect(Buffer.concat(seen)).toEqual(wrote);
      await eventually(async () => (await processRepository.findById(started.id))?.status !== "running");
      const ended = (await processRepository.findWithOutput(started.id))!;
      expect(ended.output).toBe("p\u0000q\uFFFDr\n");
      expect(Buffer.from(ended.outputBase64 ?? "", "base64")).toEqual(wrote);
      const { rows } = await db.query("SELECT output_bytes FROM sandbox_processes WHERE id = $1", [started.id]);
      expect((rows[0] as { output_bytes: Buffer }).output_bytes).toEqual(wrote);
      expect(await getProcess(authUser, started.id)).toMatchObject({ output: "p\u0000q\uFFFDr\n", outputBase64: wrote.toString("base64") });
    } finally {
      await engine.releaseProject(String(project.id));
    }
  });
});

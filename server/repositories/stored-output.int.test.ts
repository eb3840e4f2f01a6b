import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { decodeEscaped, displayText } from "@/server/sandbox/byte-text";
import { executionRepository } from "./execution-repository";
import { processRepository } from "./process-repository";
import { projectRepository } from "./project-repository";
import { executionOutcome } from "@/test/fixtures/execution-outcomes";

// Issue 12 point 2: any bytes a program writes are stored exactly. The repositories take the
// engine's byte-exact text (server/sandbox/byte-text.ts) and keep the bytes in a bytea column
// beside the text whenever the text cannot be them (NUL: PostgreSQL text refuses it; invalid UTF-8).

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
let db: pg.Client;
beforeAll(async () => {
  db = new pg.Client(inject("databaseUrl"));
  await db.connect();
});
afterAll(() => db.end());

async function project() {
  const user = await makeUser();
  return projectRepository.create({ name: "bytes", description: null, userId: user.id, createdByAi: null, templateType: null });
}

describe("stored output", () => {
  it("keeps 4 KiB of random bytes then NUL exactly, shows text, and says the text is not exact", async () => {
    const p = await project();
    const wrote = Buffer.concat([randomBytes(4096), Buffer.from("\0end")]);
    const stderr = Buffer.from([0x65, 0x72, 0x72, 0xff, 0xfe, 0x00, 0x78]);
    const row = await executionRepository.start({ projectId: p.id, userId: null, executedCode: "x", language: null, executionType: "run", executedByAi: null });
    const finished = await executionRepository.finish(row.id, executionOutcome({ output: decodeEscaped(wrote), errorOutput: decodeEscaped(stderr) }));
    const { rows } = await db.query("SELECT output, output_bytes, error_output, error_output_bytes FROM sandbox_executions WHERE id = $1", [row.id]);
    const stored = rows[0] as { output: string; output_bytes: Buffer; error_output: string; error_output_bytes: Buffer };
    expect(sha(stored.output_bytes)).toBe(sha(wrote));
    expect(stored.error_output_bytes.equals(stderr)).toBe(true);
    expect(stored.output).not.toContain("\u0000");
    expect(stored.error_output).toBe("err\uFFFD\uFFFD\uFFFDx");

    for (const read of [finished, await executionRepository.findById(row.id)]) {
      expect(sha(Buffer.from(read?.outputBase64 ?? "", "base64"))).toBe(sha(wrote));
      // Text: one U+FFFD per byte that is not UTF-8, everything else as written (NUL included).
      expect(read?.output).toBe(displayText(decodeEscaped(wrote)));
      expect(read?.output).not.toMatch(/[\uD800-\uDFFF]/u);
      expect(read?.errorOutput).toBe("err\uFFFD\uFFFD\u0000x");
      expect(Buffer.from(read?.errorOutputBase64 ?? "", "base64").equals(stderr)).toBe(true);
    }
  });

  it("stores text with NUL exactly and answers it as text (valid UTF-8 needs no base64); plain text costs no bytes column", async () => {
    const p = await project();
    const row = await executionRepository.start({ projectId: p.id, userId: null, executedCode: "x", language: null, executionType: "run", executedByAi: null });
    const read = await executionRepository.finish(row.id, executionOutcome({ output: "a\u0000b é 😀", errorOutput: "plain\n" }));
    expect(read).toMatchObject({ output: "a\u0000b é 😀", outputBase64: null, errorOutput: "plain\n", errorOutputBase64: null });
    const { rows } = await db.query(
      "SELECT output, output_bytes IS NULL AS no_bytes, error_output_bytes IS NULL AS no_err_bytes FROM sandbox_executions WHERE id = $1",
      [row.id],
    );
    expect(rows[0]).toEqual({ output: "a\uFFFDb é 😀", no_bytes: false, no_err_bytes: true });
  });

  it("reads a row written before the bytes columns (text only) as it always did", async () => {
    const p = await project();
    const row = await executionRepository.start({ projectId: p.id, userId: null, executedCode: "x", language: null, executionType: "run", executedByAi: null });
    await db.query("UPDATE sandbox_executions SET output = 'old\uFFFD', error_output = '', finished_at = now(), status = 'success' WHERE id = $1", [row.id]);
    expect(await executionRepository.findById(row.id)).toMatchObject({ output: "old\uFFFD", outputBase64: null, errorOutput: "", errorOutputBase64: null });
  });

  it("keeps a background process's output exactly", async () => {
    const p = await project();
    const started = await processRepository.start({ projectId: p.id, userId: null, command: "x", image: "node", port: null, startedByAi: null });
    const wrote = Buffer.from([0x70, 0x00, 0x71, 0xff, 0x72, 0x0a]);
    await processRepository.finish(started.id, { status: "exited", exitCode: 0, output: decodeEscaped(wrote) });
    const { rows } = await db.query("SELECT output, output_bytes FROM sandbox_processes WHERE id = $1", [started.id]);
    expect((rows[0] as { output_bytes: Buffer }).output_bytes.equals(wrote)).toBe(true);
    const read = await processRepository.findWithOutput(started.id);
    expect(read).toMatchObject({ output: "p\u0000q\uFFFDr\n" });
    expect(Buffer.from(read?.outputBase64 ?? "", "base64").equals(wrote)).toBe(true);
  });
});

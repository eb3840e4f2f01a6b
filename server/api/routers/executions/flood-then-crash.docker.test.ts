import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { executionJson } from "@/server/api/rest/rest-dto";
import { executionResponse } from "@/server/api/rest/rest-responses.schema";
import { executionRepository } from "@/server/repositories/execution-repository";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { testRuntime } from "@/test/support/docker-test-engine";

// Issue 19 point 2, as the issue tells it: `python3 -c` printing 300k lines, then raising. It used
// to end "exit 1" with the output cut at 1 MiB from its start, stderr empty, the traceback gone.
// Through the routers with the production cap (1 MiB per stream), the database and debugCode.
let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine({ maxOutputBytes: 1024 * 1024, limits: { memoryBytes: 512 * 1024 * 1024 } }));
});
afterAll(() => engine.stop());

const PROGRAM = `for i in range(300000): print(f"line {i:06d}")
raise ValueError("crash after 300k lines")`;

/** Removes the cap's own lines (by the ranges the API gives) from a stream's bytes. */
function withoutInserted(bytes: Buffer, inserted: { offset: number; length: number }[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const r of inserted) {
    parts.push(bytes.subarray(at, r.offset));
    at = r.offset + r.length;
  }
  return Buffer.concat([...parts, bytes.subarray(at)]);
}

describe(`a crash after 300k lines, under ${testRuntime()}`, () => {
  it("stores stdout's head + marker + tail, stderr's traceback, exit 1; the API says what was cut; debugCode finds the exception", async () => {
    const user = await makeUser();
    const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"], "geppo");
    const project = await caller.projects.create({ name: "flood then crash" });
    const { executionId } = await caller.executions.run({
      projectId: project.id,
      kind: "command",
      image: "python",
      command: `python3 -c '${PROGRAM}'`,
      timeoutSeconds: 120,
    });
    // The live stream: everything streamed is what is stored, and it ends with the traceback.
    const streamed = { stdout: "", stderr: "" };
    for await (const tracked of await caller.executions.output({ executionId })) {
      const raw: unknown = tracked;
      const event = (Array.isArray(raw) ? raw[1] : (tracked as { data: unknown }).data) as { type: string; data?: string };
      if (event.type === "stdout" || event.type === "stderr") streamed[event.type] += event.data;
    }

    const row = await caller.executions.get({ executionId });
    expect(row.exitCode, row.errorOutput?.slice(-300)).toBe(1);
    expect(row.outputTruncated).toBe(true);
    const output = row.output!;
    const errorOutput = row.errorOutput!;
    expect(streamed.stdout).toBe(output);
    expect(streamed.stderr).toBe(errorOutput);
    // stdout: head from the first line, the notice, the marker with the amount cut, the tail to the last line.
    expect(output.startsWith("line 000000\nline 000001\n")).toBe(true);
    expect(output).toMatch(/\n\[pantheon: stdout passed 512 KiB: cutting its middle; its last 256 KiB follow\]\n/);
    expect(output).toMatch(/\n\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of stdout cut\]\nline \d{6}\n/);
    expect(output.endsWith("line 299998\nline 299999\n")).toBe(true);
    for (const line of output.split("\n").filter(Boolean)) expect(line).toMatch(/^(line \d{6}|\[pantheon: .*\])$/);
    // stderr: the traceback, whole (it was never near the cap).
    expect(errorOutput).toMatch(/^Traceback \(most recent call last\):\n {2}File "<string>", line 2, in <module>\nValueError: crash after 300k lines\n$/);

    // Machine-readable: the numbers add up to the 300k lines and the ranges are the marker lines.
    const t = row.outputTruncation?.stdout;
    expect(row.outputTruncation?.stderr).toBeNull();
    expect(t).toBeTruthy();
    const total = 300_000 * "line 000000\n".length;
    expect(t!.keptHeadBytes + t!.keptTailBytes + t!.droppedBytes).toBe(total);
    expect(t!.keptHeadBytes).toBeLessThanOrEqual(512 * 1024);
    expect(t!.droppedLines + (t!.keptHeadBytes + t!.keptTailBytes) / 12).toBe(300_000);
    const bytes = Buffer.from(output);
    expect(t!.inserted.map((r) => bytes.subarray(r.offset, r.offset + r.length).toString())).toEqual([
      expect.stringMatching(/^\[pantheon: stdout passed/),
      expect.stringMatching(/^\[pantheon: .* of stdout cut\]\n$/),
    ]);
    const program = withoutInserted(bytes, t!.inserted).toString();
    const lines = program.split("\n").filter(Boolean);
    expect(lines).toHaveLength(300_000 - t!.droppedLines);
    expect(lines.at(0)).toBe("line 000000");
    expect(lines.at(-1)).toBe("line 299999");

    // REST: the same, in snake_case, valid against the OpenAPI schema.
    const record = await executionRepository.findById(executionId);
    const rest = executionResponse.parse(executionJson(record!));
    expect(rest.output_truncation?.stdout).toEqual({
      kept_head_bytes: t!.keptHeadBytes,
      kept_tail_bytes: t!.keptTailBytes,
      dropped_bytes: t!.droppedBytes,
      dropped_lines: t!.droppedLines,
      inserted: t!.inserted,
    });
    expect(rest.error_output).toContain("ValueError: crash after 300k lines");

    // debugCode (the AI's diagnostics) reads the stored row and finds the exception.
    const debug = await caller.ai.debugCode({ projectId: project.id });
    expect(debug.execution?.id).toBe(executionId);
    expect(debug.diagnostics).toContainEqual(
      expect.objectContaining({ file: "<command>", line: 2, message: "ValueError: crash after 300k lines", kind: "python" }),
    );
  });

  it("10 MB on each stream: both keep head + marker + tail and stay under the cap; the crash is the last line", async () => {
    const user = await makeUser();
    const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"], "geppo");
    const project = await caller.projects.create({ name: "10 MB per stream" });
    await caller.files.write({
      projectId: project.id,
      path: "both.py",
      content: `import sys
for i in range(100000):
    print(f"out {i:06d} " + "o" * 88)
for i in range(100000):
    print(f"err {i:06d} " + "e" * 88, file=sys.stderr)
raise RuntimeError("after 10 MB on each stream")
`,
    });
    const { executionId } = await caller.executions.run({
      projectId: project.id,
      kind: "command",
      image: "python",
      command: "python3 both.py",
      timeoutSeconds: 180,
    });
    for await (const _ of await caller.executions.output({ executionId })) {
      // drained: the run is recorded once the stream ends
    }
    const row = await caller.executions.get({ executionId });
    expect(row.exitCode, row.errorOutput?.slice(-300)).toBe(1);
    for (const [text, name, t] of [
      [row.output!, "out", row.outputTruncation?.stdout],
      [row.errorOutput!, "err", row.outputTruncation?.stderr],
    ] as const) {
      expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024 + 1024);
      expect(text.startsWith(`${name} 000000 `)).toBe(true);
      expect(text).toMatch(/\n\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of std(out|err) cut\]\n/);
      // Every byte the program wrote is kept or counted: 100,000 lines of 100 bytes (+ the traceback on stderr).
      const after = name === "err" ? Buffer.byteLength(text.slice(text.lastIndexOf("err 099999 ") + 100)) : 0;
      expect(t!.keptHeadBytes + t!.keptTailBytes + t!.droppedBytes).toBe(10_000_000 + after);
    }
    expect(row.output!.endsWith(`out 099999 ${"o".repeat(88)}\n`)).toBe(true);
    expect(row.errorOutput).toMatch(
      new RegExp(`err 099999 e{88}\\nTraceback \\(most recent call last\\):\\n[\\s\\S]*RuntimeError: after 10 MB on each stream\\n$`),
    );
  });
});

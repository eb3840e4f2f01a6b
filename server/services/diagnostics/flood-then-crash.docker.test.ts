import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MiB, startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import type { ExecutionEvent } from "@/server/sandbox/execution-types";
import { parseDiagnostics } from "./parse-diagnostics";

// Issue 19: 300k lines then an exception used to come back as "exit 1" with stderr empty (the cap
// kept the first MiB of both streams together). Each stream now keeps its head and its tail.
let t: TestEngine;

beforeAll(async () => {
  // The production default: 1 MiB kept per stream.
  t = await startTestEngine({ postureCheck: false, reapOtherInstances: false, warmImages: [], maxOutputBytes: 1 * MiB, limits: { memoryBytes: 512 * MiB } });
});

afterAll(async () => {
  await t?.engine.stop();
});

// Line by line, as the program (300k lines then an exception). Note: under Debian's runsc
// (2022, ptrace) a single write(2) larger than a pipe (64 KiB) to stdout can lose its end when the
// program then writes to stderr, measured with a plain "docker run --runtime=runsc": gVisor's,
// outside the engine; printing lines (8 KiB writes) does not meet it.
const FLOOD = `import sys
for n in range(105):
    for i in range(1000):
        print(f"out {n:03d} line {i:07d} " + "x" * 80)
for n in range(105):
    for i in range(1000):
        print(f"err {n:03d} line {i:07d} " + "x" * 80, file=sys.stderr)


def crash():
    raise ValueError("crash after the flood")


crash()
`;

describe(`10 MB per stream, then a traceback, under ${testRuntime()}`, () => {
  // Under runsc this flood once OOM-killed the whole 512 MiB sandbox: the agent's events pinned a
  // 64 KiB read buffer per ~100-byte stderr line (agent proc_memory_test.go).
  it("keeps both heads, both tails with a marker, and the traceback; diagnostics locate the crash", async () => {
    t.store.put("flood", "flood.py", FLOOD);
    try {
      const events: ExecutionEvent[] = [];
      const r = await t.engine.execute(
        "flood",
        { kind: "command", image: "python", command: "python3 flood.py", timeoutMs: 120_000 },
        { onEvent: (e) => events.push(e) },
      );
      expect(r.exitCode, r.errorOutput.slice(-500)).toBe(1);
      expect(r.truncated).toBe(true);
      // stdout: its first and last lines, and what was cut between them.
      expect(r.output).toMatch(/^out 000 line 0000000 x+\n/);
      expect(r.output).toMatch(/\n\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of stdout cut\]\n/);
      expect(r.output.endsWith(`out 104 line 0000999 ${"x".repeat(80)}\n`)).toBe(true);
      // stderr: the same, and the traceback at its end, whole.
      expect(r.errorOutput).toMatch(/^err 000 line 0000000 x+\n/);
      expect(r.errorOutput).toMatch(/\n\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of stderr cut\]\n/);
      expect(r.errorOutput).toMatch(
        /Traceback \(most recent call last\):\n {2}File "\/workspace\/flood.py", line 14, in <module>\n[\s\S]*ValueError: crash after the flood\n$/,
      );
      for (const text of [r.output, r.errorOutput]) expect(Buffer.byteLength(text)).toBeLessThan(1 * MiB + 1024);
      // What streamed is what was kept, and every line streamed is whole.
      const streamed = (type: string) => events.flatMap((e) => (e.type === type && "data" in e ? [e.data] : [])).join("");
      expect(streamed("stdout")).toBe(r.output);
      expect(streamed("stderr")).toBe(r.errorOutput);
      for (const line of (r.output + r.errorOutput).split("\n").filter(Boolean)) {
        expect(line).toMatch(/^((out|err) \d{3} line \d{7} x{80}|\[pantheon: .*\]|Traceback.*| {2}File .*| {4}.*|ValueError: .*|\s*\^+)$/);
      }
      expect(events.at(-1)).toMatchObject({ type: "exit", exitCode: 1, truncated: true });
      // What debugCode answers from the stored row.
      expect(parseDiagnostics(r.output, r.errorOutput)).toContainEqual(
        expect.objectContaining({ file: "flood.py", line: 11, message: "ValueError: crash after the flood", kind: "python" }),
      );
    } finally {
      await t.engine.releaseProject("flood");
    }
  });
});

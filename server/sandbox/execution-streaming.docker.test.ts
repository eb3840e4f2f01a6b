import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, type TestEngine } from "@/test/support/docker-test-engine";
import { isSandboxError } from "./errors";
import type { ExecutionEvent } from "./execution-types";

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ postureCheck: false, warmImages: ["node", "python"] });
});

afterAll(async () => {
  await t?.engine.stop();
});

describe(`execution under ${testRuntime()}`, () => {
  it("streams stdout and stderr as ordered events, then exit, live", async () => {
    const events: ExecutionEvent[] = [];
    const arrivals: number[] = [];
    const started = Date.now();
    const r = await t.engine.execute(
      "stream",
      // Docker copies stdout and stderr through separate pipes, so writes to the two within the same
      // instant may swap; events keep the order Docker delivered. The sleeps make that order defined.
      { kind: "command", command: "for i in 1 2 3; do echo out$i; sleep 0.15; echo err$i >&2; sleep 0.15; done; exit 3" },
      {
        onEvent: (e) => {
          events.push(e);
          arrivals.push(Date.now() - started);
        },
      },
    );
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const text = events
      .filter((e) => e.type !== "exit")
      .map((e) => `${e.type}:${"data" in e ? e.data : ""}`)
      .join("");
    expect(text).toBe("stdout:out1\nstderr:err1\nstdout:out2\nstderr:err2\nstdout:out3\nstderr:err3\n");
    expect(events.at(-1)).toMatchObject({ type: "exit", exitCode: 3, status: "error", reason: null, truncated: false });
    // The first chunk arrives well before the command ends: it is streamed, not buffered.
    expect(arrivals[0]!).toBeLessThan(arrivals.at(-1)! - 500);
    expect(r).toMatchObject({ output: "out1\nout2\nout3\n", errorOutput: "err1\nerr2\nerr3\n", exitCode: 3, status: "error" });
    expect(r.durationMs).toBeGreaterThanOrEqual(900);
    expect(r.memoryPeakMb).toBeGreaterThan(0);
    expect(r.cpuPercent).not.toBeNull();
  });

  it("runs snippets in node, typescript (tsx) and python from /workspace", async () => {
    const node = await t.engine.execute("snip", {
      kind: "code",
      language: "node",
      code: "const _ = require('lodash'); console.log(_.sum([1,2,3]), process.cwd(), process.getuid())",
    });
    expect(node.output, node.errorOutput).toBe("6 /workspace 1000\n");
    const ts = await t.engine.execute("snip", { kind: "code", language: "typescript", code: "const n: number = 21; console.log(n * 2)" });
    expect(ts.output, ts.errorOutput).toBe("42\n");
    const py = await t.engine.execute("snip-py", {
      kind: "code",
      language: "python",
      code: "import os, numpy\nprint(os.getcwd(), int(numpy.arange(4).sum()))",
    });
    expect(py.output, py.errorOutput).toBe("/workspace 6\n");
    // The snippet's temp file is not part of the project.
    expect(node.files?.upserted).toEqual([]);
    await t.engine.releaseProject("snip");
    await t.engine.releaseProject("snip-py");
  });

  it("refuses an unknown language and a timeout over the ceiling before any container work", async () => {
    const leased = t.engine.status().pool.leased;
    for (const request of [
      { kind: "code", language: "cobol", code: "DISPLAY 'x'" },
      { kind: "command", command: "true", timeoutMs: t.engine.config.maxTimeoutMs + 1 },
    ] as const) {
      const err = await t.engine.execute("refused", request as never).catch((e: unknown) => e);
      expect(isSandboxError(err, "BAD_REQUEST")).toBe(true);
    }
    expect(t.engine.status().pool.leased).toBe(leased);
  });

  it("cancel (AbortSignal) kills the whole tree: status error, reason cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const r = await t.engine.execute("cancel", { kind: "command", command: "sleep 300 & sleep 300; echo never" }, { signal: controller.signal });
    expect(r).toMatchObject({ status: "error", reason: "cancelled" });
    expect(r.durationMs).toBeLessThan(8_000);
    const ps = await t.engine.execute("cancel", { kind: "command", command: "ps -eo args= | grep -c '^sleep 300' || true" });
    expect(ps.output.trim()).toBe("0");
    await t.engine.releaseProject("cancel");
  });
});

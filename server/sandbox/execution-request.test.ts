import { describe, expect, it } from "vitest";
import { isSandboxError } from "./errors";
import { prepareExecution } from "./execution-request";
import type { ExecutionRequest } from "./execution-types";
import { classify } from "./executor";

const config = { defaultTimeoutMs: 30_000, maxTimeoutMs: 300_000, maxFileSize: 1024 };

function refused(request: unknown): string {
  try {
    prepareExecution(request as ExecutionRequest, config);
  } catch (err) {
    if (isSandboxError(err, "BAD_REQUEST")) return err.message;
    throw err;
  }
  throw new Error("expected BAD_REQUEST");
}

describe("prepareExecution", () => {
  it("runs commands through bash with the default timeout", () => {
    expect(prepareExecution({ kind: "command", command: "npm test", type: "test" }, config)).toMatchObject({
      image: "node",
      argv: ["bash", "-c", "npm test"],
      suffix: "-",
      stdin: undefined,
      type: "test",
      timeoutMs: 30_000,
      language: null,
    });
  });

  it("sends snippets over stdin to a temp file with the language's runner and image", () => {
    expect(prepareExecution({ kind: "code", language: "python", code: "print(1)" }, config)).toMatchObject({
      image: "python",
      argv: ["python3", "-u"],
      suffix: ".py",
      stdin: Buffer.from("print(1)"),
    });
    expect(prepareExecution({ kind: "code", language: "typescript", code: "let x: number = 1" }, config)).toMatchObject({
      image: "node",
      argv: ["tsx"],
      suffix: ".ts",
    });
    expect(prepareExecution({ kind: "code", language: "node", code: "1" }, config)).toMatchObject({ image: "node", argv: ["node"], suffix: ".js" });
  });

  it("refuses, never clamps, a timeout above the ceiling", () => {
    expect(refused({ kind: "command", command: "true", timeoutMs: 300_001 })).toMatch(/above the ceiling/);
    expect(prepareExecution({ kind: "command", command: "true", timeoutMs: 300_000 }, config).timeoutMs).toBe(300_000);
    expect(refused({ kind: "command", command: "true", timeoutMs: 0 })).toMatch(/positive/);
    expect(refused({ kind: "command", command: "true", timeoutMs: 1.5 })).toMatch(/positive/);
  });

  it("refuses unknown languages, empty or NUL-containing commands, oversized code and unknown kinds", () => {
    expect(refused({ kind: "code", language: "cobol", code: "x" })).toMatch(/unknown language "cobol"/);
    expect(refused({ kind: "command", command: "  " })).toMatch(/empty/);
    expect(refused({ kind: "command", command: "a\0b" })).toMatch(/NUL/);
    expect(refused({ kind: "code", language: "node", code: "x".repeat(1025) })).toMatch(/larger than/);
    expect(refused({ kind: "shell", command: "x" })).toMatch(/kind/);
    expect(refused({ kind: "command", command: "x", type: "deploy" })).toMatch(/execution type/);
  });
});

describe("classify", () => {
  const base = { ending: null, exitCode: 0, oomKilled: false, died: false } as const;
  it.each([
    [base, "success", null],
    [{ ...base, exitCode: 1 }, "error", null],
    [{ ...base, exitCode: 137 }, "error", "killed"],
    [{ ...base, exitCode: 137, oomKilled: true }, "error", "oom"],
    [{ ...base, ending: "timeout" as const, exitCode: 137 }, "timeout", null],
    [{ ...base, ending: "cancelled" as const, exitCode: 137 }, "error", "cancelled"],
    [{ ...base, exitCode: null, died: true }, "error", "killed"],
  ])("%j -> %s/%s", (input, status, reason) => {
    expect(classify(input)).toEqual({ status, reason });
  });
});

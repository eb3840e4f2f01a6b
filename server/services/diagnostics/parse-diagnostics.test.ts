import { describe, expect, it } from "vitest";
import { CAPTURED } from "@/test/fixtures/diagnostics-outputs";
import { projectPath } from "./diagnostic";
import { MAX_DIAGNOSTICS, parseDiagnostics } from "./parse-diagnostics";

function parse(name: string) {
  const captured = CAPTURED[name];
  if (!captured) throw new Error(`no captured output named ${name}`);
  return parseDiagnostics(captured.output, captured.errorOutput);
}

describe("parseDiagnostics on real outputs", () => {
  it("reads tsc's plain format", () => {
    expect(parse("tsc-plain")).toEqual([
      { file: "src/types.ts", line: 4, column: 9, message: "TS2322: Type 'string' is not assignable to type 'number'.", kind: "typescript", severity: "error" },
      { file: "src/types.ts", line: 5, column: 16, message: "TS2304: Cannot find name 'missing'.", kind: "typescript", severity: "error" },
    ]);
  });

  it("reads tsc --pretty (colours, code frames and the summary are ignored)", () => {
    expect(parse("tsc-pretty")).toEqual(parse("tsc-plain"));
  });

  it("reports the innermost project frame of a Node stack, relative to /workspace", () => {
    // lib/cart.js:2 `return item.name.toUpperCase();`, called from app.js through Array.map
    expect(parse("node-nested")).toEqual([
      {
        file: "lib/cart.js",
        line: 2,
        column: 20,
        message: "TypeError: Cannot read properties of undefined (reading 'toUpperCase')",
        kind: "node",
        severity: "error",
      },
    ]);
    expect(parse("node-top")).toEqual([
      { file: "top.js", line: 2, column: 20, message: "TypeError: Cannot read properties of undefined (reading 'port')", kind: "node", severity: "error" },
    ]);
    expect(parse("node-async")).toEqual([{ file: "throw.js", line: 2, column: 9, message: "Error: database unreachable", kind: "node", severity: "error" }]);
  });

  it("locates a Node syntax error from the header and its caret", () => {
    // syntax.js:2 `const b = ;`
    expect(parse("node-syntax")).toEqual([
      { file: "syntax.js", line: 2, column: 11, message: "SyntaxError: Unexpected token ';'", kind: "node", severity: "error" },
    ]);
  });

  it("follows file:// frames of ES modules past a header that is not a project file", () => {
    expect(parse("node-esm")).toEqual([
      {
        file: "esm.mjs",
        line: 2,
        column: 15,
        message: "SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
        kind: "node",
        severity: "error",
      },
    ]);
  });

  it("reads tsx runtime errors (source-mapped to the .ts file) and esbuild transform errors", () => {
    expect(parse("tsx-runtime")).toEqual([
      {
        file: "src2/main.ts",
        line: 4,
        column: 29,
        message: "TypeError: Cannot read properties of undefined (reading 'toUpperCase')",
        kind: "typescript",
        severity: "error",
      },
    ]);
    // src2/broken.ts:2 `const y = x +* 2;` — the "Error: Transform failed" stack is all inside esbuild: not reported.
    expect(parse("tsx-transform")).toEqual([
      { file: "src2/broken.ts", line: 2, column: 13, message: 'SyntaxError: Unexpected "*"', kind: "typescript", severity: "error" },
    ]);
  });

  it("names an engine-run snippet <snippet>", () => {
    expect(parse("node-snippet")).toEqual([
      { file: "<snippet>", line: 2, column: 20, message: "TypeError: Cannot read properties of undefined (reading 'port')", kind: "node", severity: "error" },
    ]);
  });

  it("reads a failing vitest test at its assertion", () => {
    expect(parse("vitest-fail")).toEqual([
      {
        file: "src/sum.test.ts",
        line: 8,
        column: 21,
        message: "adds: AssertionError: expected -1 to be 3 // Object.is equality",
        kind: "typescript",
        severity: "error",
      },
    ]);
  });

  it("reads Python tracebacks at the innermost project frame", () => {
    expect(parse("py-name")).toEqual([
      { file: "py/main.py", line: 5, column: null, message: "NameError: name 'totl' is not defined", kind: "python", severity: "error" },
    ]);
    expect(parse("py-deep")).toEqual([
      { file: "py/helpers.py", line: 6, column: null, message: "ZeroDivisionError: division by zero", kind: "python", severity: "error" },
    ]);
  });

  it("names a program given with python3 -c <command>, and never takes exec()'d <string> frames inside a file", () => {
    // Python 3.11, `python3 -c 'def crash():\n  raise ValueError("boom")\ncrash()'`
    const command = `Traceback (most recent call last):
  File "<string>", line 3, in <module>
  File "<string>", line 2, in crash
ValueError: boom
`;
    expect(parseDiagnostics("", command)).toEqual([
      { file: "<command>", line: 2, column: null, message: "ValueError: boom", kind: "python", severity: "error" },
    ]);
    // A dataclass's generated __init__ is "<string>" too: the diagnostic stays in the project file.
    const dataclass = `Traceback (most recent call last):
  File "/workspace/main.py", line 9, in <module>
    Point(1)
  File "<string>", line 3, in __init__
TypeError: bad
`;
    expect(parseDiagnostics("", dataclass)).toEqual([{ file: "main.py", line: 9, column: null, message: "TypeError: bad", kind: "python", severity: "error" }]);
  });

  it("reads Python syntax and indentation errors (no traceback header)", () => {
    expect(parse("py-syntax")).toEqual([
      { file: "py/syntax.py", line: 2, column: null, message: "SyntaxError: '(' was never closed", kind: "python", severity: "error" },
    ]);
    expect(parse("py-indent")).toEqual([
      { file: "py/indent.py", line: 3, column: null, message: "IndentationError: unexpected indent", kind: "python", severity: "error" },
    ]);
  });

  it("reads every failure of a unittest run", () => {
    expect(parse("py-unittest")).toEqual([
      { file: "py/helpers.py", line: 6, column: null, message: "ZeroDivisionError: division by zero", kind: "python", severity: "error" },
      { file: "py/tests/test_helpers.py", line: 8, column: null, message: "AssertionError: 1.5 != 2", kind: "python", severity: "error" },
    ]);
  });
});

describe("parseDiagnostics edge cases", () => {
  it("finds nothing in clean or unrelated output", () => {
    expect(parseDiagnostics("", "")).toEqual([]);
    expect(parseDiagnostics("words: 11\nthe: 3\n", "")).toEqual([]);
    expect(parseDiagnostics("Error: something\n", "")).toEqual([]); // no location: nothing to point at
  });

  it("skips frames in libraries and the runtime, and drops duplicates", () => {
    const stderr = [
      "TypeError: boom",
      "    at inner (/workspace/node_modules/lib/index.js:1:1)",
      "    at node:internal/process/task_queues:95:5",
      "    at outer (/workspace/src/app.js:7:3)",
      "",
    ].join("\n");
    const expected = [{ file: "src/app.js", line: 7, column: 3, message: "TypeError: boom", kind: "node", severity: "error" }];
    expect(parseDiagnostics("", stderr)).toEqual(expected);
    expect(parseDiagnostics(stderr, stderr)).toEqual(expected);
  });

  it("keeps tsc's elaboration lines and warnings", () => {
    const out =
      "src/a.ts(1,7): error TS2322: Type '{ a: string; }' is not assignable to type 'T'.\n  Types of property 'a' are incompatible.\nsrc/b.ts(2,1): warning TS6133: 'x' is declared but its value is never read.\n";
    expect(parseDiagnostics(out, "")).toEqual([
      {
        file: "src/a.ts",
        line: 1,
        column: 7,
        message: "TS2322: Type '{ a: string; }' is not assignable to type 'T'.\nTypes of property 'a' are incompatible.",
        kind: "typescript",
        severity: "error",
      },
      { file: "src/b.ts", line: 2, column: 1, message: "TS6133: 'x' is declared but its value is never read.", kind: "typescript", severity: "warning" },
    ]);
  });

  it("stays fast and bounded on hostile output", () => {
    const started = performance.now();
    const longLine = `    at ${" (".repeat(400_000)}`;
    const manyErrors = Array.from({ length: 5_000 }, (_, i) => `src/a.ts(${i + 1},1): error TS1005: ';' expected.`).join("\n");
    expect(parseDiagnostics(`${longLine}\n${manyErrors}`, `TypeError: x\n${longLine}\n`)).toHaveLength(MAX_DIAGNOSTICS);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("maps printed paths to project paths", () => {
    expect(projectPath("/workspace/src/a.ts")).toBe("src/a.ts");
    expect(projectPath("file:///workspace/my%20dir/a.mjs")).toBe("my dir/a.mjs");
    expect(projectPath("./src/a.ts")).toBe("src/a.ts");
    expect(projectPath("/tmp/.pantheon-run-12.py")).toBe("<snippet>");
    expect(projectPath("/usr/lib/python3.11/json/decoder.py")).toBeNull();
    expect(projectPath("/opt/sandbox/node_modules/vite/index.js")).toBeNull();
    expect(projectPath("node:internal/modules/cjs/loader")).toBeNull();
    expect(projectPath("node_modules/x/y.js")).toBeNull();
    expect(projectPath("file:///workspace/%E0%A4%A.js")).toBeNull();
  });
});

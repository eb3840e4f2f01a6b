import { describe, expect, it } from "vitest";
import { findFileLinks, findFileReferences, toWorkspacePath } from "./parse-file-links";

const FILES = new Set(["main.py", "src/index.ts", "src/App.tsx", "src/server.ts", "index.js", "dist/index.js", "lib/a b.js", "tests/test_x.py"]);
const exists = (p: string) => FILES.has(p);
const links = (text: string) => findFileLinks(text, exists).map(({ path, line, column, start, end }) => ({ path, line, column, text: text.slice(start, end) }));

describe("file:line links in program output", () => {
  it("Node stack frames, absolute, relative and file:// URLs", () => {
    expect(links("    at main (/workspace/src/server.ts:12:7)")).toEqual([
      { path: "src/server.ts", line: 12, column: 7, text: "/workspace/src/server.ts:12:7" },
    ]);
    expect(links("    at /workspace/index.js:3:1")).toEqual([{ path: "index.js", line: 3, column: 1, text: "/workspace/index.js:3:1" }]);
    expect(links("/workspace/index.js:3")).toEqual([{ path: "index.js", line: 3, column: null, text: "/workspace/index.js:3" }]);
    expect(links("    at file:///workspace/dist/index.js:40:11")).toEqual([
      { path: "dist/index.js", line: 40, column: 11, text: "file:///workspace/dist/index.js:40:11" },
    ]);
    expect(links("at Object.<anonymous> (src/index.ts:5:20)")[0]).toMatchObject({ path: "src/index.ts", line: 5, column: 20 });
  });

  it("TypeScript, both formats", () => {
    expect(links("src/index.ts(3,7): error TS2322: Type 'string' is not assignable")).toEqual([
      { path: "src/index.ts", line: 3, column: 7, text: "src/index.ts(3,7)" },
    ]);
    expect(links("src/index.ts:3:7 - error TS2322: Type 'string'")[0]).toMatchObject({ path: "src/index.ts", line: 3, column: 7 });
  });

  it("Python tracebacks", () => {
    expect(links('  File "/workspace/main.py", line 3, in <module>')).toEqual([
      { path: "main.py", line: 3, column: null, text: '/workspace/main.py", line 3' },
    ]);
    expect(links('  File "main.py", line 14, in count')[0]).toMatchObject({ path: "main.py", line: 14 });
    expect(links("tests/test_x.py:12: AssertionError")[0]).toMatchObject({ path: "tests/test_x.py", line: 12 });
  });

  it("Vite and esbuild errors (Babel's column is 0-based)", () => {
    expect(links('[plugin:vite:react-babel] /workspace/src/App.tsx: Unexpected token, expected "," (3:10)')).toEqual([
      { path: "src/App.tsx", line: 3, column: 11, text: "/workspace/src/App.tsx" },
    ]);
    expect(links("  File: /workspace/src/App.tsx:3:10")[0]).toMatchObject({ path: "src/App.tsx", line: 3, column: 10 });
    expect(links("    src/index.ts:3:6:")[0]).toMatchObject({ path: "src/index.ts", line: 3, column: 6 });
  });

  it("several links in one line, in order", () => {
    expect(links("/workspace/index.js:1 and src/index.ts:2:3").map((l) => l.path)).toEqual(["index.js", "src/index.ts"]);
  });

  it("paths outside the workspace, escapes and forged text stay plain", () => {
    for (const text of [
      "    at Module._compile (node:internal/modules/cjs/loader:1554:14)",
      "/etc/passwd:1",
      "/workspace/../etc/passwd:1",
      "/workspace/src/../../etc/passwd:1",
      "../etc/passwd:1",
      "/workspacex/index.js:1",
      "file://evil.example/workspace/index.js:1",
      "file:///workspace/%2e%2e/etc/passwd:1",
      "/workspace/index%2ejs:1",
      "http://localhost:5173/src/App.tsx:3:4",
      "javascript:alert(1)//index.js:1",
      "/workspace/missing.js:1", // not a file of the project
      "/workspace/index.js:0", // no line 0
      "/workspace/index.js:123456789", // absurd line
      "/workspace/index.jsx:1", // a longer name than the file's
      "see index.js:1x",
      '  File "/etc/passwd", line 1',
    ]) {
      expect(links(text), text).toEqual([]);
    }
  });

  it("percent-encoded file URLs of real files resolve; the path check runs after decoding", () => {
    expect(links("at file:///workspace/lib/a%20b.js:2:1")[0]).toMatchObject({ path: "lib/a b.js", line: 2 });
    expect(toWorkspacePath("file:///workspace/%2e%2e/workspace/index.js", exists)).toBe("index.js");
    expect(toWorkspacePath("file:///workspace/%00index.js", exists)).toBeNull();
    expect(toWorkspacePath("file:///workspace/%E0%A4%A", exists)).toBeNull();
    expect(toWorkspacePath("/workspace/src\\index.ts", () => true)).toBeNull();
    expect(toWorkspacePath("/workspace", () => true)).toBeNull();
  });

  it("stays fast on hostile lines (long, many colons, many candidates)", () => {
    const hostile = [
      "a".repeat(200_000),
      "a/".repeat(50_000) + ":1",
      ": (".repeat(30_000) + "(1:2)",
      "x: ".repeat(20_000) + "(1:2)",
      "/workspace/index.js:1 ".repeat(10_000),
      "(".repeat(50_000) + "1,2)",
    ];
    const started = performance.now();
    for (const text of hostile) findFileReferences(text);
    // A figure, not an assertion (no timed assertions on a shared machine): a backtracking pattern
    // would not finish within the test's own bound, and the scan is capped below.
    console.log(`file links: ${hostile.length} hostile lines scanned in ${(performance.now() - started).toFixed(0)} ms`);
    // Only the start of a long line is scanned.
    expect(findFileReferences("/workspace/index.js:1 ".repeat(10_000)).length).toBeLessThan(200);
  });
});

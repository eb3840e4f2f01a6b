import ts from "typescript";
import { describe, expect, it } from "vitest";
import { originalPosition, sourceMapPathFor } from "./source-map-position";

// A real map, as tsc writes it for src/index.ts compiled to dist/index.js.
const SOURCE = ["type Greeting = string;", "", "export function greet(name: string): Greeting {", "  throw new Error(`no ${name}`);", "}", ""].join("\n");
const compiled = ts.transpileModule(SOURCE, {
  fileName: "src/index.ts",
  compilerOptions: { sourceMap: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
});
const generated = compiled.outputText.split("\n");
const throwLine = generated.findIndex((l) => l.includes("throw new Error")) + 1;
const throwColumn = (generated[throwLine - 1]?.indexOf("throw") ?? 0) + 1;
const map = JSON.parse(compiled.sourceMapText ?? "{}") as { sources: string[]; sourceRoot?: string };
const asDistMap = (sources: string[], extra: object = {}) => JSON.stringify({ ...map, sources, ...extra });
const files = new Set(["src/index.ts", "dist/index.js", "dist/index.js.map"]);
const exists = (p: string) => files.has(p);

describe("source-mapped file links", () => {
  it("maps a generated position to the original source in the workspace", () => {
    expect(sourceMapPathFor("dist/index.js")).toBe("dist/index.js.map");
    const at = originalPosition(asDistMap(["../src/index.ts"]), "dist/index.js.map", { line: throwLine, column: throwColumn }, exists);
    expect(at).toEqual({ path: "src/index.ts", line: 4, column: 3 });
    // No column (a Python-style or `file:line` reference): the line's first mapping.
    expect(originalPosition(asDistMap(["../src/index.ts"]), "dist/index.js.map", { line: throwLine, column: null }, exists)).toMatchObject({
      path: "src/index.ts",
      line: 4,
    });
    // Absolute sources and a sourceRoot are followed too.
    expect(originalPosition(asDistMap(["/workspace/src/index.ts"]), "dist/index.js.map", { line: throwLine, column: throwColumn }, exists)?.path).toBe(
      "src/index.ts",
    );
    expect(
      originalPosition(asDistMap(["index.ts"], { sourceRoot: "/workspace/src" }), "dist/index.js.map", { line: throwLine, column: throwColumn }, exists)?.path,
    ).toBe("src/index.ts");
  });

  it("a hostile or broken map maps nowhere", () => {
    const at = { line: throwLine, column: throwColumn };
    expect(originalPosition(asDistMap(["../../etc/passwd"]), "dist/index.js.map", at, () => true)).toBeNull();
    expect(originalPosition(asDistMap(["/etc/passwd"]), "dist/index.js.map", at, () => true)).toBeNull();
    expect(originalPosition(asDistMap(["http://evil.example/src/index.ts"]), "dist/index.js.map", at, () => true)).toBeNull();
    expect(originalPosition(asDistMap(["../src/missing.ts"]), "dist/index.js.map", at, exists)).toBeNull();
    expect(originalPosition("not json", "dist/index.js.map", at, exists)).toBeNull();
    expect(originalPosition(JSON.stringify({ version: 3, sources: [], mappings: ";;;;" }), "dist/index.js.map", at, exists)).toBeNull();
    expect(originalPosition(JSON.stringify({ version: 3, sources: ["a"], mappings: "!!!" }), "dist/index.js.map", at, exists)).toBeNull();
  });
});

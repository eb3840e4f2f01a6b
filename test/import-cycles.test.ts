import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// No import cycles (issue 16 point 6), `import type` included: a type-only cycle still ties two
// files together, and the next value import along it is a module that is half-initialised at run
// time. Imports are resolved as tsc resolves them (tsconfig's paths, index files), by the
// compiler's own preProcessFile and resolveModuleName, over every tracked source file.

/**
 * Files whose imports are not followed, each with the reason. The process registry names the type
 * of every long-lived part it holds and imports nothing at run time (its layer in
 * eslint.layers.mjs refuses anything but `import type`), so that any module can read it: its type
 * imports back into those modules are the one cycle allowed, by design.
 */
const TYPE_ONLY_REGISTRIES: Record<string, string> = {
  "server/process/app-runtime.ts": "the registry imports types only (eslint.layers.mjs)",
};

const root = process.cwd();
const config = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const options = config?.options ?? {};
const generated = /(^|\/)(gen|generated)\//;
const sources = execFileSync("git", ["ls-files", "*.ts", "*.tsx"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => f && !f.endsWith(".d.ts") && !generated.test(f));

/** Repository-relative files each source imports (packages left out). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const tracked = new Set(sources);
  for (const file of sources) {
    if (file in TYPE_ONLY_REGISTRIES) {
      graph.set(file, []);
      continue;
    }
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      const resolved = ts.resolveModuleName(fileName, path.join(root, file), options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = path.relative(root, resolved.resolvedFileName).split(path.sep).join("/");
      if (tracked.has(target) && target !== file) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan): each is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      component.push(w);
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe("imports", () => {
  const graph = importGraph();

  it("resolve (the graph is not empty by mistake)", () => {
    expect(graph.get("server/api/root.ts")?.length ?? 0).toBeGreaterThan(5);
  });

  it("form no cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("a cycle is found when there is one", () => {
    const triangle = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(triangle)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});

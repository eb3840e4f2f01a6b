import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { getTemplate } from "@/server/templates/templates";
import { vueCheckerBase } from "./checker-base";
import { VueChecker } from "./vue-checker";

// The editor's Vue diagnostics against the real vue-tsc (the version the node image has, installed
// as a dev dependency): the same project is checked by both, and each diagnostic of vue-tsc's
// output must come back from the checker at the same line and column with the same text.

const template = getTemplate("vue-app").files;
const vueFiles = Object.keys(template).filter((path) => path.endsWith(".vue"));
const tempDirs: string[] = [];

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

/** vue-tsc --noEmit on the project's src/: written under node_modules/.cache so `vue` and @types/node resolve to the app's copies. */
async function vueTsc(files: Record<string, string>): Promise<string> {
  const cache = join(process.cwd(), "node_modules/.cache");
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, "vue-tsc-"));
  tempDirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    if (!path.startsWith("src/")) continue;
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  // vite/client is the only typing the app's node_modules lacks; the editor loads Node's instead.
  await writeFile(join(dir, "tsconfig.json"), (files["tsconfig.json"] ?? "{}").replace('"vite/client"', '"node"'));
  const bin = join(process.cwd(), "node_modules/.bin/vue-tsc");
  return promisify(execFile)(bin, ["--noEmit", "--pretty", "false", "-p", dir], { cwd: dir }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? "",
  );
}

/** `src/App.vue(7,7): error TS2322: Type …` lines (a message may continue on indented lines). */
function parseVueTsc(output: string) {
  return [...output.matchAll(/^(\S+)\((\d+),(\d+)\): error TS(\d+): ([\s\S]*?)(?=\n\S|\n?$)/gm)].map((m) => ({
    file: m[1],
    line: Number(m[2]),
    column: Number(m[3]),
    code: Number(m[4]),
    message: m[5]?.replace(/\n {2}/g, "\n"),
  }));
}

async function checkerDiagnostics(files: Record<string, string>, paths: string[]) {
  const checker = new VueChecker(await vueCheckerBase());
  const map = new Map(Object.entries(files));
  return paths.flatMap((file) => checker.check(map, file).map(({ line, column, code, message }) => ({ file, line, column, code, message })));
}

describe("Vue single-file components are checked as vue-tsc checks them", () => {
  it("the untouched template's .vue files have no diagnostics, and vue-tsc agrees", async () => {
    expect(vueFiles).toContain("src/App.vue");
    expect(await checkerDiagnostics(template, vueFiles)).toEqual([]);
    expect(parseVueTsc(await vueTsc(template))).toEqual([]);
  }, 180_000);

  it("a type error in <script setup> and one in the template read as vue-tsc's, at the same place", async () => {
    const app = (template["src/App.vue"] ?? "")
      .replace("</script>", 'const n: number = "x";\n</script>')
      .replace("{{ state.count }}", "{{ state.count.toFixed(missingName) }}");
    // A component nothing imports yet is checked too (vue-tsc takes it from tsconfig's include).
    const extra = '<script setup lang="ts">\nconst label: string = 42;\n</script>\n\n<template>{{ label }}</template>\n';
    const files = { ...template, "src/App.vue": app, "src/Extra.vue": extra };
    const expected = parseVueTsc(await vueTsc(files));
    expect(expected.map((d) => [d.file, d.code])).toEqual([
      ["src/App.vue", 2322],
      ["src/App.vue", 2339],
      ["src/Extra.vue", 2322],
    ]);
    expect(expected[0]).toMatchObject({ line: 7, column: 7, message: "Type 'string' is not assignable to type 'number'." });
    expect(await checkerDiagnostics(files, ["src/App.vue", "src/Extra.vue"])).toEqual(expected);
  }, 180_000);
});

it("reads nothing from the server's disk but TypeScript's lib files", async () => {
  const checker = new VueChecker(await vueCheckerBase());
  // tsc.js sits beside the libs on disk; to the checker it does not exist.
  const files = new Map([["src/probe.ts", '/// <reference path="/typescript/lib/tsc.js" />\nexport const x = 1;\n']]);
  expect(checker.check(files, "src/probe.ts").map((d) => [d.code, d.message])).toEqual([[6053, "File '/typescript/lib/tsc.js' not found."]]);
}, 120_000);

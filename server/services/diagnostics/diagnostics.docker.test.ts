import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, MiB, type TestEngine } from "@/test/support/docker-test-engine";
import { getTemplate } from "@/server/templates/templates";
import { parseDiagnostics } from "./parse-diagnostics";

// The fixtures in test/fixtures/diagnostics-outputs.ts came from `docker run`; this checks the parser
// on output as the engine returns it (separate streams, through the executor), on broken templates.
let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ postureCheck: false, reapOtherInstances: false, warmImages: [], limits: { memoryBytes: 512 * MiB } });
});

afterAll(async () => {
  await t?.engine.stop();
});

function load(projectId: string, templateId: string, overrides: Record<string, string>) {
  const files = { ...getTemplate(templateId).files, ...overrides };
  for (const [path, content] of Object.entries(files)) t.store.put(projectId, path, content);
}

describe(`diagnostics from live executions under ${testRuntime()}`, () => {
  it("finds a type error in node-api's build and a runtime error under tsx", async () => {
    load("diag-node", "node-api", {
      "src/broken.ts": 'export const port: number = "3000";\n',
      "crash.ts": "const config: { port?: { value: number } } = {};\nconsole.log(config.port!.value);\n",
    });
    try {
      const build = await t.engine.execute("diag-node", { kind: "command", command: "npx tsc -p tsconfig.json", timeoutMs: 60_000 });
      expect(build.exitCode).not.toBe(0);
      expect(parseDiagnostics(build.output, build.errorOutput)).toEqual([
        {
          file: "src/broken.ts",
          line: 1,
          column: 14,
          message: "TS2322: Type 'string' is not assignable to type 'number'.",
          kind: "typescript",
          severity: "error",
        },
      ]);
      const run = await t.engine.execute("diag-node", { kind: "command", command: "tsx crash.ts" });
      expect(parseDiagnostics(run.output, run.errorOutput)).toEqual([
        {
          file: "crash.ts",
          line: 2,
          column: 26,
          message: "TypeError: Cannot read properties of undefined (reading 'value')",
          kind: "typescript",
          severity: "error",
        },
      ]);
    } finally {
      await t.engine.releaseProject("diag-node");
    }
  });

  it("finds a failing Python test and a snippet's error", async () => {
    load("diag-py", "python-script", {
      "wordstats.py": getTemplate("python-script").files["wordstats.py"]?.replace("return len(words(text))", "return len(words(text)) + 1") ?? "",
    });
    try {
      const test = await t.engine.execute("diag-py", { kind: "command", image: "python", command: getTemplate("python-script").commands.test });
      expect(test.exitCode).toBe(1);
      expect(parseDiagnostics(test.output, test.errorOutput)).toEqual([
        { file: "tests/test_wordstats.py", line: 11, column: null, message: "AssertionError: 4 != 3", kind: "python", severity: "error" },
      ]);
      const snippet = await t.engine.execute("diag-py", { kind: "code", language: "python", code: "x = 1\nprint(y)\n" });
      expect(parseDiagnostics(snippet.output, snippet.errorOutput)).toEqual([
        { file: "<snippet>", line: 2, column: null, message: "NameError: name 'y' is not defined", kind: "python", severity: "error" },
      ]);
    } finally {
      await t.engine.releaseProject("diag-py");
    }
  });
});

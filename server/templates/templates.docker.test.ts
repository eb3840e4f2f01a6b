import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEngine, testRuntime, MiB, type TestEngine } from "@/server/sandbox/docker-test-engine";
import { listTemplates, type ProjectTemplate } from "./templates";

// Each template goes through the real engine (hardened container, no network, uid 1000,
// read-only root, tmpfs /workspace): install, test and build must succeed out of the box.
// Measured: about 26 s for all four under runc, 34 s under runsc.
const runtime = testRuntime();
const templates = listTemplates();

let t: TestEngine;

beforeAll(async () => {
  // The production memory limit: vue-tsc and Vite need more than the test engine's default.
  // reapOtherInstances off: other docker test files may be running their own engines right now.
  t = await startTestEngine({ postureCheck: false, reapOtherInstances: false, warmImages: [], limits: { memoryBytes: 512 * MiB }, maxOutputBytes: 256 * 1024 });
});

afterAll(async () => {
  await t?.engine.stop();
});

// vitest prints colours even without a TTY; assertions read the plain text.
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

async function run(template: ProjectTemplate, projectId: string, command: string, type: "run" | "test" | "build") {
  const result = await t.engine.execute(projectId, { kind: "command", command, type, image: template.image, timeoutMs: 120_000 });
  const output = plain(`${result.output}${result.errorOutput}`);
  expect(result.status, `${template.id}: ${command} (reason ${result.reason}, engine error ${result.errorCode})\n${output}`).toBe("success");
  expect(result.exitCode).toBe(0);
  expect(result.files?.refused ?? [], "no generated file may be refused by sync").toEqual([]);
  return { ...result, text: output };
}

describe(`templates under ${runtime}`, () => {
  it.each(templates.map((tpl) => [tpl.id, tpl] as const))("%s installs, passes its tests and builds with no network", async (id, template) => {
    const projectId = `template-${id}`;
    for (const [path, content] of Object.entries(template.files)) t.store.put(projectId, path, content);
    try {
      const started = Date.now();
      await run(template, projectId, template.commands.install, "run");
      const test = await run(template, projectId, template.commands.test, "test");
      if (template.image === "node") {
        expect(test.text).toMatch(/Tests\s+\d+ passed/);
        expect(test.text).not.toMatch(/failed/);
      } else {
        expect(test.text).toMatch(/Ran [1-9]\d* tests?/);
        expect(test.text).toMatch(/\nOK\s*$/);
      }
      await run(template, projectId, template.commands.build, "build");
      // The store gains no build output or caches: node_modules, dist and __pycache__ stay in the container.
      expect([...t.store.files(projectId).keys()].sort()).toEqual(Object.keys(template.files).sort());
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      await t.engine.releaseProject(projectId);
    }
  });

  it("python-script runs its entry point", async () => {
    const template = templates.find((tpl) => tpl.id === "python-script");
    if (!template) throw new Error("python-script template missing");
    for (const [path, content] of Object.entries(template.files)) t.store.put("template-run-py", path, content);
    try {
      const r = await run(template, "template-run-py", template.commands.run, "run");
      expect(r.output).toContain("words: 11\nthe: 3\n");
    } finally {
      await t.engine.releaseProject("template-run-py");
    }
  });
});

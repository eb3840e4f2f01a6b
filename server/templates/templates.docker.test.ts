import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineConfigInput } from "@/server/sandbox/config";
import { startTestEngine, testRuntime, MiB, type TestEngine } from "@/test/support/docker-test-engine";
import { listTemplates, type ProjectTemplate } from "./templates";

// Each template goes through the real engine (hardened container, no network, uid 1000,
// read-only root, tmpfs /workspace): its test, build and run commands must succeed in any freshly
// bound container with nothing installed first — on creation, after an idle release (a new
// container for the same files) and after a server restart (a new engine over the same store).
// The install step is never run: it used to link node_modules, which a new container lacked, so
// Vite failed with ENOENT on /node_modules/.vite-temp until "Start dev server" had run once.
const runtime = testRuntime();
const templates = listTemplates();

// The production memory limit: vue-tsc and Vite need more than the test engine's default.
// reapOtherInstances off: other docker test files may be running their own engines right now.
// SANDBOX_CONTAINER_REGISTRY: images built from this checkout under another prefix (sandbox-images/README.md).
const engineConfig: EngineConfigInput = {
  postureCheck: false,
  reapOtherInstances: false,
  warmImages: [],
  limits: { memoryBytes: 512 * MiB },
  maxOutputBytes: 256 * 1024,
  ...(process.env.SANDBOX_CONTAINER_REGISTRY ? { registry: process.env.SANDBOX_CONTAINER_REGISTRY } : {}),
};

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(engineConfig);
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

/** What each template's run command prints once it works (servers: their address, then they keep running). */
const RUN_SIGNS: Record<ProjectTemplate["id"], RegExp> = {
  "react-app": /Local:\s+http:\/\/127\.0\.0\.1:5173\//,
  "vue-app": /Local:\s+http:\/\/127\.0\.0\.1:5173\//,
  "node-api": /listening on http:\/\/127\.0\.0\.1:8080/,
  "python-script": /words: 11\nthe: 3\n/,
};

/**
 * The template's run command: a script must exit 0; a server must come up (print its address),
 * and is then cancelled, since a server runs until its timeout.
 */
async function runCommand(template: ProjectTemplate, projectId: string) {
  const sign = RUN_SIGNS[template.id];
  const controller = new AbortController();
  let seen = "";
  const result = await t.engine.execute(
    projectId,
    { kind: "command", command: template.commands.run, type: "run", image: template.image, timeoutMs: 60_000 },
    {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "exit") return;
        seen = plain(seen + event.data);
        if (template.commands.dev && sign.test(seen)) controller.abort();
      },
    },
  );
  const output = plain(`${result.output}${result.errorOutput}`);
  expect(output, `${template.id}: ${template.commands.run} (${result.status}, reason ${result.reason})`).toMatch(sign);
  expect(output).not.toMatch(/ENOENT|EROFS|EACCES/);
  if (template.commands.dev) expect(result.reason).toBe("cancelled");
  else expect(result.status).toBe("success");
}

/** test, build and run, with nothing installed first; checks the store gains no build output. */
async function testBuildRun(template: ProjectTemplate, projectId: string) {
  const test = await run(template, projectId, template.commands.test, "test");
  if (template.image === "node") {
    expect(test.text).toMatch(/Tests\s+\d+ passed/);
    expect(test.text).not.toMatch(/failed/);
  } else {
    expect(test.text).toMatch(/Ran [1-9]\d* tests?/);
    expect(test.text).toMatch(/\nOK\s*$/);
  }
  await run(template, projectId, template.commands.build, "build");
  await runCommand(template, projectId);
  // The store gains no build output or caches: node_modules, dist and __pycache__ stay in the container.
  expect([...t.store.files(projectId).keys()].sort()).toEqual(Object.keys(template.files).sort());
}

describe(`templates under ${runtime}`, () => {
  it.each(templates.map((tpl) => [tpl.id, tpl] as const))(
    "%s: test, build and run succeed at once, after an idle release and after a restart",
    async (id, template) => {
      const projectId = `template-${id}`;
      for (const [path, content] of Object.entries(template.files)) t.store.put(projectId, path, content);
      try {
        // A figure, not an assertion: the machine's load decides it (see the habits on timed tests).
        const started = Date.now();
        await testBuildRun(template, projectId);
        console.log(`${runtime} ${id}: test, build and run in a fresh container took ${Date.now() - started} ms`);

        // Idle release: the container is destroyed; the next command binds a fresh one.
        await t.engine.releaseProject(projectId);
        await testBuildRun(template, projectId);

        // Server restart: a new engine (new containers, new process) over the same stored files.
        const files = t.store.files(projectId);
        await t.engine.stop();
        t = await startTestEngine(engineConfig);
        t.store.projects.set(projectId, new Map(files));
        await testBuildRun(template, projectId);
      } finally {
        await t.engine.releaseProject(projectId);
      }
    },
    240_000,
  );
});

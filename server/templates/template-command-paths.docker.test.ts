// Each project runs its commands three times over (up to 12 executions) and, on a quiet machine,
// within a minute: the seed's 10 executions per project per minute would refuse the last ones. Rate
// limits are not this file's subject (rest.docker.test.ts and rate-limits.int.test.ts cover them).
process.env.SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE = "1000";
process.env.SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE = "1000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { keyCaller, sessionCookie } from "@/test/support/callers";
import { makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { startPreviewHarness } from "@/test/support/preview-harness";
import { openShell, type ShellTestClient, startShellServer, TEST_ORIGIN } from "@/test/support/shell-client";
import { eventually, testRuntime } from "@/test/support/docker-test-engine";
import type { AuthUser } from "@/server/auth/auth-user";
import { getProcess } from "@/server/services/processes/process-service";
import { listTemplates, type ProjectTemplate } from "./templates";

// Issue 19 point 1 through the app's own doors: a project created from each template, and an empty one, runs its suggested
// commands by every path a person or an AI has — tRPC executions.run (the IDE's Run), REST execute,
// the AI tool ai.runTests, the interactive shell, and the dev server — at once, after an idle
// release (a fresh container for the same files) and after a server restart (a new engine over
// the same database). Nothing is installed first: whatever a template needs is in the image.

const runtime = testRuntime();
// The app's wiring with the preview gateway (dev servers serve a port), 512 MiB per container as
// in production (vue-tsc and Vite need it); preview ports from this file's own range.
const PREVIEW_PORTS = "3760-3769";

let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
let shells: Awaited<ReturnType<typeof startShellServer>>;
beforeAll(async () => {
  harness = await startPreviewHarness(PREVIEW_PORTS);
  shells = await startShellServer();
}, 180_000);
afterAll(async () => {
  await shells?.close();
  await harness?.stop();
  // Later files in the same worker get the configured limits back.
  for (const name of ["SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE", "SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE"]) delete process.env[name];
});

// vitest and Vite print colours even without a TTY; assertions read the plain text.
const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");

/** What each template's run (and dev) command prints once it works. */
const RUN_SIGNS: Record<ProjectTemplate["id"], RegExp> = {
  "react-app": /Local:\s+http:\/\/127\.0\.0\.1:5173\//,
  "vue-app": /Local:\s+http:\/\/127\.0\.0\.1:5173\//,
  "node-api": /listening on http:\/\/127\.0\.0\.1:8080/,
  "python-script": /words: 11\nthe: 3\n/,
};

/**
 * An empty project has no template and runs in the node image; the IDE suggests `node index.js`
 * (and `ls -la`), so it gets a file the way a user would, then the toolchain must answer at once.
 * `ls -la` is left out, as the IDE leaves it out (command-hints.ts): gVisor releases as old as
 * Debian's runsc (2022-12) refuse coreutils' statx (EINVAL), and an operator may still run one.
 */
const EMPTY = { install: "node --version", run: "node index.js", test: "npm --version", build: "node --version && npm --version" };

type Caller = Awaited<ReturnType<typeof keyCaller>>["caller"];

interface Subject {
  id: string;
  template: ProjectTemplate | null;
  commands: { install: string; run: string; test: string; build: string };
}

const subjects: Subject[] = [
  ...listTemplates().map((t) => ({ id: t.id, template: t, commands: t.commands })),
  { id: "empty", template: null, commands: EMPTY },
];

/** tRPC types tracked events as {id, data}; a server-side caller yields the envelope [id, data, symbol]. */
function eventOf(tracked: unknown): { type: string; data?: string; status?: string; reason?: string | null; exitCode?: number | null } {
  return (Array.isArray(tracked) ? tracked[1] : (tracked as { data: unknown }).data) as { type: string };
}

/** The IDE's Run: executions.run, its output followed live; a server is cancelled once it serves. */
async function runByTrpc(caller: Caller, projectId: number, subject: Subject) {
  const sign = subject.template ? RUN_SIGNS[subject.template.id] : /^hello$/m;
  const { executionId } = await caller.executions.run({ projectId, kind: "command", command: subject.commands.run, type: "run", timeoutSeconds: 120 });
  let text = "";
  let exit: ReturnType<typeof eventOf> | null = null;
  for await (const tracked of await caller.executions.output({ executionId })) {
    const event = eventOf(tracked);
    if (event.type === "exit") exit = event;
    else text = plain(text + (event.data ?? ""));
    if (subject.template?.commands.dev && !exit && sign.test(text)) await caller.executions.cancel({ executionId });
  }
  expect(text, `${subject.id}: ${subject.commands.run} over tRPC`).toMatch(sign);
  expect(text).not.toMatch(/ENOENT|EROFS|EACCES/);
  // A server runs until stopped: it ends cancelled (an error with that reason); a script succeeds.
  if (subject.template?.commands.dev) expect(exit).toMatchObject({ status: "error", reason: "cancelled" });
  else expect(exit).toMatchObject({ status: "success", exitCode: 0 });
}

/** REST POST …/execute with an API key, as another program calls it. */
async function runByRest(key: string, projectId: number, command: string, label: string) {
  const res = await execute(
    new Request(`http://localhost/api/sandbox/projects/${projectId}/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ command, type: "build", timeout: 120 }),
    }),
    { params: Promise.resolve({ id: String(projectId) }) },
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { status: string; exit_code: number | null; output: string; error_output: string };
  expect(body.status, `${label}: ${command} over REST\n${plain(body.output + body.error_output)}`).toBe("success");
  expect(body.exit_code).toBe(0);
}

/** The shell: the install step and the test command typed at the prompt, their exit status echoed. */
async function runInShell(projectId: number, cookie: string, subject: Subject) {
  const outcome = await openShell(shells.url, projectId, { cookie, origin: TEST_ORIGIN }, { cols: 200, rows: 50 });
  if (!outcome.opened) throw new Error(`shell refused: ${outcome.status} ${outcome.body}`);
  const shell: ShellTestClient = outcome.client;
  try {
    await shell.waitFor(/[$#] $/m, 0, 60_000);
    const from = shell.output.length;
    // The marker is split so the echoed command line cannot match it.
    shell.type(`${subject.commands.install} && ${subject.commands.test}; echo "shell-""exit=$?"\n`);
    const match = await shell.waitFor(/shell-exit=(\d+)/, from, 180_000);
    expect(match[1], `${subject.id} in the shell:\n${plain(shell.output.slice(from))}`).toBe("0");
    expect(plain(shell.output.slice(from))).not.toMatch(/ENOENT|EROFS|EACCES/);
  } finally {
    shell.ws.close();
  }
}

/** The template's dev server as a background process: it comes up, then is stopped. */
async function startDev(caller: Caller, user: AuthUser, projectId: number, template: ProjectTemplate) {
  const started = await caller.processes.startDev({ projectId });
  let output = "";
  try {
    await eventually(async () => {
      const view = await getProcess(user, started.id);
      output = plain(view.output);
      return RUN_SIGNS[template.id].test(output) || view.status !== "running";
    }, 120_000);
    expect(output, `${template.id}: ${template.commands.dev?.command} as a background process`).toMatch(RUN_SIGNS[template.id]);
    expect(output).not.toMatch(/ENOENT|EROFS|EACCES/);
  } finally {
    await caller.processes.stop({ processId: started.id });
  }
}

/** Every path once: nothing may depend on a step another path ran before it in this container. */
async function everyPath(caller: Caller, user: AuthUser, key: string, cookie: string, projectId: number, subject: Subject) {
  const tests = subject.template ? await caller.ai.runTests({ projectId, timeoutSeconds: 120 }) : null;
  if (tests) {
    const text = plain(`${tests.output}${tests.errorOutput}`);
    expect(tests.status, `${subject.id}: ai.runTests\n${text}`).toBe("success");
    // The template's own tests ran and passed, not merely a zero exit.
    if (subject.template?.image === "node") expect(text).toMatch(/Tests\s+\d+ passed/);
    else expect(text).toMatch(/Ran [1-9]\d* tests?[\s\S]*\nOK\s*$/);
  }
  await runByRest(key, projectId, subject.commands.build, subject.id);
  await runByTrpc(caller, projectId, subject);
  await runInShell(projectId, cookie, subject);
  if (subject.template?.commands.dev) await startDev(caller, user, projectId, subject.template);
  // The store gains no build output or caches: node_modules, dist and __pycache__ stay in the container.
  const stored = (await caller.files.tree({ projectId })).map((f) => f.filePath).sort();
  expect(stored, `${subject.id}: stored files after every path`).toEqual(subject.template ? Object.keys(subject.template.files).sort() : ["index.js"]);
}

describe(`templates through every command path under ${runtime}`, () => {
  it.each(subjects.map((s) => [s.id, s] as const))(
    "%s: AI tests, REST build, tRPC run, shell and dev server succeed at once, after an idle release and after a restart",
    async (id, subject) => {
      const owner = await makeUser();
      const { caller, key } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
      const cookie = await sessionCookie(owner.id);
      const user = await sessionAuthUser(owner.id);
      const project = await caller.projects.create({ name: `paths ${id}`, ...(subject.template ? { template: subject.template.id } : {}) });
      if (!subject.template) await caller.files.write({ projectId: project.id, path: "index.js", content: 'console.log("hello")\n' });
      try {
        await everyPath(caller, user, key, cookie, project.id, subject);

        // Idle release: the container goes; the next command binds a fresh one.
        await caller.projects.release({ projectId: project.id });
        await everyPath(caller, user, key, cookie, project.id, subject);

        // Server restart: a new engine and preview gateway (new containers) over the same database.
        await harness.stop();
        harness = await startPreviewHarness(PREVIEW_PORTS);
        await everyPath(caller, user, key, cookie, project.id, subject);
      } finally {
        await caller.projects.release({ projectId: project.id });
      }
    },
    900_000,
  );
});

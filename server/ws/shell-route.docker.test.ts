import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { keyCaller, sessionCaller, sessionCookie } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { openShell, type ShellTestClient, startShellServer, TEST_ORIGIN } from "@/test/support/shell-client";
import { eventually } from "@/test/support/docker-test-engine";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { getShellRegistry } from "@/server/services/terminal/shell-registry";

// The interactive shell over a WebSocket against the real route, the real database and the real
// Docker engine: who may open one, what runs in it, and every way it ends.

let engine: SandboxEngine;
let server: Awaited<ReturnType<typeof startShellServer>>;
beforeAll(async () => {
  ({ engine } = await startAppEngine({ maxConcurrent: 10 }));
  server = await startShellServer();
}, 180_000);
afterAll(async () => {
  await server?.close();
  await engine?.stop();
});

async function ownedProject(template: "node-api" | "python-script" = "node-api") {
  const owner = await makeUser();
  const caller = await sessionCaller(owner.id);
  const project = await caller.projects.create({ name: "shell", template });
  return { owner, caller, projectId: project.id, headers: { cookie: await sessionCookie(owner.id), origin: TEST_ORIGIN } };
}

async function open(projectId: number, headers: Record<string, string>, size?: { cols: number; rows: number }): Promise<ShellTestClient> {
  const outcome = await openShell(server.url, projectId, headers, size);
  if (!outcome.opened) throw new Error(`shell refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}

/** Waits for the prompt of a login shell (bash's "$ " or sh's), proof that it reads input. */
const prompt = (shell: ShellTestClient, from = 0) => shell.waitFor(/[$#] $/m, from, 60_000);

describe("shell WebSocket: who may open one", () => {
  it("without a session cookie: 401, and no WebSocket", async () => {
    const { projectId } = await ownedProject();
    expect(await openShell(server.url, projectId, { origin: TEST_ORIGIN })).toMatchObject({ opened: false, status: 401 });
  });

  it("with an API key instead of a session: 401 (a shell is a person at a browser)", async () => {
    const { owner, projectId } = await ownedProject();
    const { key } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    expect(await openShell(server.url, projectId, { origin: TEST_ORIGIN, authorization: `Bearer ${key}` })).toMatchObject({ opened: false, status: 401 });
  });

  it("from another site's page (foreign or missing Origin) with the owner's cookie: 403", async () => {
    const { projectId, headers } = await ownedProject();
    expect(await openShell(server.url, projectId, { ...headers, origin: "http://evil.test" })).toMatchObject({ opened: false, status: 403 });
    expect(await openShell(server.url, projectId, { cookie: headers.cookie })).toMatchObject({ opened: false, status: 403 });
  });

  it("another user, an admin, or a missing project: the same 404", async () => {
    const { projectId } = await ownedProject();
    const stranger = await makeUser();
    const admin = await makeUser("admin");
    const strip = (o: Awaited<ReturnType<typeof openShell>>) => (o.opened ? "opened" : `${o.status} ${o.body.replace(/\d+/g, "N")}`);
    const asStranger = await openShell(server.url, projectId, { cookie: await sessionCookie(stranger.id), origin: TEST_ORIGIN });
    const asAdmin = await openShell(server.url, projectId, { cookie: await sessionCookie(admin.id), origin: TEST_ORIGIN });
    const missing = await openShell(server.url, 2_000_000_000, { cookie: await sessionCookie(stranger.id), origin: TEST_ORIGIN });
    expect(strip(asStranger)).toMatch(/^404 Project N not found/);
    expect(strip(asAdmin)).toBe(strip(asStranger));
    expect(strip(missing)).toBe(strip(asStranger));
    expect(await openShell(server.url, "abc", { cookie: await sessionCookie(stranger.id), origin: TEST_ORIGIN })).toMatchObject({ opened: false, status: 404 });
  });
});

describe("shell WebSocket: the owner's shell", () => {
  it("gets a login shell prompt as the sandbox user in /workspace with the project's files; echo $((6*7)) answers 42", async () => {
    const { projectId, headers, caller } = await ownedProject();
    await caller.files.write({ projectId, path: "notes.txt", content: "from the database" });
    const shell = await open(projectId, headers);
    await prompt(shell);
    expect(shell.message("ready")).toMatchObject({ type: "ready", idleMs: 60_000 });
    let from = shell.output.length;
    shell.type("echo $((6*7))\r");
    await shell.waitFor(/[\r\n]42\r\n/, from);
    from = shell.output.length;
    shell.type("id -u; pwd; cat notes.txt; echo; echo $0\r");
    const [text] = await shell.waitFor(/[\r\n]1000\r\n\/workspace\r\nfrom the database\r\n-?bash\r\n/, from);
    expect(text).toBeTruthy();
    shell.ws.close();
    await shell.waitClosed();
  });

  it("files written in the shell are saved shortly after Enter, while the shell keeps running", async () => {
    const { projectId, headers, caller } = await ownedProject();
    const shell = await open(projectId, headers);
    await prompt(shell);
    const from = shell.output.length;
    shell.type("mkdir -p made && echo from the shell > made/here.txt && echo done-$((1+1))\r");
    await shell.waitFor(/done-2/, from);
    await eventually(async () => {
      const file = await caller.files.read({ projectId, path: "made/here.txt" }).catch(() => null);
      return file?.content === "from the shell\n";
    }, 20_000);
    // The shell is still alive: the save stopped nothing.
    const after = shell.output.length;
    shell.type("echo $((6*7))\r");
    await shell.waitFor(/[\r\n]42\r\n/, after);
    shell.ws.close();
    await shell.waitClosed();
  });

  it("a python-script project's shell runs in the python image", async () => {
    const { projectId, headers } = await ownedProject("python-script");
    const shell = await open(projectId, headers);
    await prompt(shell);
    const from = shell.output.length;
    shell.type("python3 -c 'print(6*7)'\r");
    await shell.waitFor(/[\r\n]42\r\n/, from);
    shell.ws.close();
  });

  it("starts at the size asked for, and a resize message changes `stty size`", async () => {
    const { projectId, headers } = await ownedProject();
    const shell = await open(projectId, headers, { cols: 100, rows: 30 });
    await prompt(shell);
    let from = shell.output.length;
    shell.type("stty size\r");
    await shell.waitFor(/[\r\n]30 100\r\n/, from);
    shell.resize(132, 43);
    // The resize is its own call to the agent, beside the typed input's stream: nothing orders the
    // two, so ask again until the new size shows (a loaded machine can take longer than any pause).
    for (let attempt = 1; ; attempt++) {
      from = shell.output.length;
      shell.type("stty size\r");
      const seen = await shell.waitFor(/[\r\n]43 132\r\n/, from, 2_000).then(
        () => true,
        () => false,
      );
      if (seen) break;
      expect(attempt, "the resize never reached the shell").toBeLessThan(10);
    }
    shell.ws.close();
  });

  it("ignores malformed control messages and keeps working", async () => {
    const { projectId, headers } = await ownedProject();
    const shell = await open(projectId, headers);
    await prompt(shell);
    shell.ws.send("{not json");
    shell.ws.send(JSON.stringify({ type: "resize", cols: 100000, rows: 1 }));
    shell.ws.send(JSON.stringify({ type: "exec", command: "id" }));
    const from = shell.output.length;
    shell.type("echo still-$((1+1))\r");
    await shell.waitFor(/still-2/, from);
    expect(shell.closed).toBeNull();
    shell.ws.close();
  });

  it("the shell exiting ends the session: an exit message with its code, then close 1000", async () => {
    const { projectId, headers } = await ownedProject();
    const shell = await open(projectId, headers);
    await prompt(shell);
    shell.type("echo bye; exit 3\r");
    expect(await shell.waitClosed()).toMatchObject({ code: 1000 });
    expect(shell.output).toContain("bye");
    expect(shell.message("exit")).toEqual({ type: "exit", reason: "exited", exitCode: 3, message: "The shell exited with code 3." });
    await eventually(() => getShellRegistry().open(0, projectId) === 0 && engine.spawnedProcesses(String(projectId)) === 0);
  });

  it("closing the browser's socket kills the shell and everything it started", async () => {
    const { owner, projectId, headers } = await ownedProject();
    const shell = await open(projectId, headers);
    await prompt(shell);
    const from = shell.output.length;
    shell.type("sleep 1000 & sleep 0.2; ps -eo args= | grep -c '^sleep 1000'\r");
    await shell.waitFor(/[\r\n]1\r\n/, from);
    expect(engine.spawnedProcesses(String(projectId))).toBe(1);
    expect(getShellRegistry().open(owner.id, projectId)).toBe(1);
    shell.ws.close();
    await eventually(() => engine.spawnedProcesses(String(projectId)) === 0, 20_000);
    expect(getShellRegistry().open(owner.id, projectId)).toBe(0);
    const { caller } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    const { executionId } = await caller.executions.run({ projectId, kind: "command", command: "ps -eo args= | grep -c '^sleep 1000' || true" });
    await eventually(async () => (await caller.executions.get({ executionId })).finishedAt !== null, 30_000);
    expect((await caller.executions.get({ executionId })).output?.trim()).toBe("0");
  });

  it("the container dying ends the session with a clear message and close 4001", async () => {
    const { projectId, headers } = await ownedProject();
    const shell = await open(projectId, headers);
    await prompt(shell);
    await engine.releaseProject(String(projectId));
    expect(await shell.waitClosed()).toMatchObject({ code: 4001 });
    expect(shell.message("exit")).toMatchObject({ reason: "container", message: expect.stringContaining("container stopped") });
  });

  it(`refuses a shell past SANDBOX_SHELL_MAX_PER_PROJECT (3) with an error message and close 4429`, async () => {
    const { projectId, headers } = await ownedProject();
    const shells = [await open(projectId, headers), await open(projectId, headers), await open(projectId, headers)];
    await Promise.all(shells.map((s) => prompt(s)));
    const fourth = await open(projectId, headers);
    expect(await fourth.waitClosed()).toMatchObject({ code: 4429 });
    expect(fourth.message("error")).toMatchObject({ code: "limit", message: expect.stringContaining("3 shells open in this project") });
    shells[0]?.ws.close();
    await shells[0]?.waitClosed();
    await eventually(() => engine.spawnedProcesses(String(projectId)) === 2, 20_000);
    const again = await open(projectId, headers);
    await prompt(again);
    for (const s of [...shells, again]) s.ws.close();
  });
});

describe("shell WebSocket: idle", () => {
  it("closes a shell with no input for idleMs, telling the browser why (close 4000); input resets the clock", async () => {
    const idle = await startShellServer({ idleMs: 2500 });
    try {
      const { projectId, headers } = await ownedProject();
      const outcome = await openShell(idle.url, projectId, headers);
      if (!outcome.opened) throw new Error("refused");
      const shell = outcome.client;
      await prompt(shell);
      // Typing every second keeps it open past idleMs.
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        shell.type(" ");
      }
      expect(shell.closed).toBeNull();
      const started = Date.now();
      expect(await shell.waitClosed(15_000)).toMatchObject({ code: 4000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(shell.message("exit")).toMatchObject({ reason: "idle", message: "The shell was closed after being idle." });
      await eventually(() => engine.spawnedProcesses(String(projectId)) === 0, 20_000);
    } finally {
      await idle.close();
    }
  });
});

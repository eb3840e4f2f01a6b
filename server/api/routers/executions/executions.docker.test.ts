import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import type { SandboxEngine } from "@/server/sandbox/engine";

// Executions through the tRPC routers against the real engine: start, stream, resume, cancel, AI tools.
let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

type Caller = Awaited<ReturnType<typeof keyCaller>>["caller"];

/** tRPC types tracked events as {id, data}; a server-side caller actually yields the envelope [id, data, symbol]. */
function unwrap<T>(tracked: { id: string; data: T }): [string, T] {
  const raw: unknown = tracked;
  return Array.isArray(raw) ? [raw[0] as string, raw[1] as T] : [tracked.id, tracked.data];
}

async function collect(caller: Caller, executionId: number, lastEventId?: number) {
  const events: Array<{ seq: number; type: string; data?: string }> = [];
  const iterable = await caller.executions.output({ executionId, lastEventId });
  for await (const tracked of iterable) {
    // A server-side caller sees tRPC's tracked envelope [id, data]; an HTTP client sees {id, data}.
    const [id, event] = unwrap(tracked);
    expect(id).toBe(String(event.seq));
    events.push(event);
  }
  return events;
}

async function setup() {
  const user = await makeUser();
  const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"], "geppo");
  return { user, caller };
}

describe("executions over tRPC", () => {
  it("run returns an id at once; output streams in order, resumes after lastEventId; get and history record the AI", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "run" });
    await caller.files.write({ projectId: project.id, path: "main.js", content: "for (let i = 0; i < 3; i++) console.log('line', i); console.error('warn')" });
    const { executionId } = await caller.executions.run({ projectId: project.id, kind: "command", command: "node main.js", aiPersonality: "c24" });
    const events = await collect(caller, executionId);
    expect(events.at(-1)).toMatchObject({ type: "exit", status: "success", exitCode: 0 });
    expect(
      events
        .filter((e) => e.type === "stdout")
        .map((e) => e.data)
        .join(""),
    ).toBe("line 0\nline 1\nline 2\n");
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const resumed = await collect(caller, executionId, events[0]?.seq);
    expect(resumed.map((e) => e.seq)).toEqual(seqs.slice(1));

    const row = await caller.executions.get({ executionId });
    expect(row).toMatchObject({ status: "success", executedByAi: "c24", output: "line 0\nline 1\nline 2\n", errorOutput: "warn\n" });
    expect((await caller.executions.history({ projectId: project.id }))[0]).toMatchObject({ id: executionId, executedByAi: "c24" });
  });

  it("cancel stops a running execution; a snippet runs; files written via the API reach the live container", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "cancel" });
    const { executionId } = await caller.executions.run({ projectId: project.id, kind: "command", command: "echo started; sleep 30" });
    const iterable = await caller.executions.output({ executionId });
    let cancelled = false;
    const events: Array<{ type: string; reason?: unknown }> = [];
    for await (const tracked of iterable) {
      const [, data] = unwrap(tracked);
      events.push(data);
      if (data.type === "stdout" && !cancelled) {
        cancelled = true;
        expect(await caller.executions.cancel({ executionId })).toEqual({ cancelled: true });
      }
    }
    expect(events.at(-1)).toMatchObject({ type: "exit", reason: "cancelled" });
    expect(await caller.executions.cancel({ executionId })).toEqual({ cancelled: false });

    await caller.files.write({ projectId: project.id, path: "pushed.txt", content: "live edit" });
    const { executionId: snippet } = await caller.executions.run({
      projectId: project.id,
      kind: "code",
      language: "node",
      code: "console.log(require('fs').readFileSync('pushed.txt', 'utf8'))",
    });
    await collect(caller, snippet);
    expect((await caller.executions.get({ executionId: snippet })).output).toBe("live edit\n");
  });

  it("deleting a project cancels its running execution instead of waiting for it", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "doomed" });
    const { executionId } = await caller.executions.run({ projectId: project.id, kind: "command", command: "echo up; sleep 60" });
    for await (const tracked of await caller.executions.output({ executionId })) if (unwrap(tracked)[1].type === "stdout") break;
    const started = performance.now();
    await caller.projects.delete({ projectId: project.id });
    expect(performance.now() - started).toBeLessThan(15_000);
    await expect(caller.projects.get({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a timeout above the ceiling before running anything", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "t" });
    await expect(caller.executions.run({ projectId: project.id, kind: "command", command: "true", timeoutSeconds: 3000 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("ceiling"),
    });
    expect(await caller.executions.history({ projectId: project.id })).toEqual([]);
  });
});

describe("AI tools", () => {
  it("run_tests passes on a template; apply_changes breaks it atomically and debug_code locates the error", async () => {
    const { caller } = await setup();
    const project = await caller.ai.createProject({ name: "py", template: "python-script", aiPersonality: "gemini" });
    // A command in a template's project runs in the template's image without naming it.
    const { executionId } = await caller.executions.run({ projectId: project.id, kind: "command", command: "python3 -c 'print(6 * 7)'" });
    const printed = (await collect(caller, executionId)).filter((e) => e.type === "stdout");
    expect(printed.map((e) => e.data).join("")).toBe("42\n"); // output may arrive in several chunks
    const tests = await caller.ai.runTests({ projectId: project.id });
    expect(tests).toMatchObject({ status: "success", executionType: "test", executedByAi: "geppo", diagnostics: [] });

    await caller.ai.generateFile({ projectId: project.id, path: "broken.py", content: "def f(:\n  pass\n" });
    const applied = await caller.ai.applyChanges({
      projectId: project.id,
      writes: [{ path: "ok.py", content: "print('ok')\n" }],
      verifyCommand: "python3 broken.py",
    });
    expect(applied.written).toEqual(["ok.py"]);
    expect(applied.verification?.status).toBe("error");
    expect(applied.verification?.diagnostics[0]).toMatchObject({ file: "broken.py", line: 1, kind: "python" });

    const debug = await caller.ai.debugCode({ projectId: project.id });
    expect(debug.execution?.id).toBe(applied.verification?.id);
    expect(debug.diagnostics[0]).toMatchObject({ file: "broken.py" });

    const context = await caller.ai.getContext({ projectId: project.id, byteBudget: 20 });
    expect(context.tree.map((f) => f.path)).toContain("broken.py");
    expect(context.contents.reduce((n, c) => n + Buffer.byteLength(c.content), 0)).toBeLessThanOrEqual(20);
    expect(context.lastExecutions[0]?.diagnostics[0]).toMatchObject({ file: "broken.py" });
  });
});

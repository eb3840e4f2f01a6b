import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { keyCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import type { SandboxEngine } from "@/server/sandbox/engine";

// ai.optimizePerformance against the real engine (runc or runsc): the hot function is named, a
// crash gives a partial report, compare finds the faster candidate and changes no file.
let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

async function setup() {
  const user = await makeUser();
  const { caller } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"]);
  return { user, caller };
}

// One deliberately slow function among fast ones; the busy loop is on line 3.
const NODE_SLOW = `function slowFunction() {
  let x = 0;
  for (let i = 0; i < 1.5e8; i++) x = (x + i * 7) % 1000003;
  return x;
}
function fastOne(n) { return n * 2; }
function fastTwo(s) { return s.length; }
let acc = 0;
for (let i = 0; i < 1000; i++) acc += fastOne(i) + fastTwo("abc");
console.log(acc, slowFunction());
`;

const PYTHON_SLOW = `def slow_function():
    x = 0
    for i in range(3_000_000):
        x = (x + i * 7) % 1000003
    return x


def fast_one(n):
    return n * 2


total = sum(fast_one(i) for i in range(1000))
print(total, slow_function())
`;

describe("ai.optimizePerformance", () => {
  it("names a Node program's slow function, with wall time over the runs and peak memory; no profile is saved as a file", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "prof-node" });
    await caller.files.write({ projectId: project.id, path: "main.js", content: NODE_SLOW });
    const report = await caller.ai.optimizePerformance({ projectId: project.id, command: "node main.js", runs: 2, aiPersonality: "c24" });
    if (report.mode !== "profile") throw new Error("expected a profile");
    expect(report.runs).toBe(2);
    expect(report.failure).toBeNull();
    expect(report.wallTime.runsMs).toHaveLength(2);
    expect(report.wallTime.minMs).toBeGreaterThan(0);
    expect(report.wallTime.minMs).toBeLessThanOrEqual(report.wallTime.medianMs);
    const top = report.hotSpots[0]!;
    expect(top).toMatchObject({ function: "slowFunction", file: "main.js", line: 1, inProject: true, calls: null });
    expect(top.selfShare).toBeGreaterThan(0.5);
    expect(top.hits).toBeGreaterThan(10);
    expect(top.totalMs).toBeGreaterThanOrEqual(top.selfMs);
    const files = await caller.files.tree({ projectId: project.id });
    expect(JSON.stringify(files)).not.toMatch(/cpuprofile|pantheon-profile/);
    expect(await caller.executions.get({ executionId: report.executionId })).toMatchObject({ executedByAi: "c24" });
  });

  it("names a TypeScript program's slow function run through tsx, at its line in the .ts source", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "prof-ts" });
    // Types, comments and blank lines above it: esbuild drops them, so only the source map gives line 12.
    const source = `interface Options {
  rounds: number;
}

// A comment esbuild drops.


type Unused = { a: string };

const options: Options = { rounds: 1.5e8 };

function slowTyped(rounds: number): number {
  let x = 0;
  for (let i = 0; i < rounds; i++) x = (x + i * 7) % 1000003;
  return x;
}
console.log(slowTyped(options.rounds));
`;
    await caller.files.write({ projectId: project.id, path: "main.ts", content: source });
    const report = await caller.ai.optimizePerformance({ projectId: project.id, command: "tsx main.ts", runs: 1 });
    if (report.mode !== "profile") throw new Error("expected a profile");
    expect(report.hotSpots.find((s) => s.inProject)).toMatchObject({ function: "slowTyped", file: "main.ts", line: 12 });
  });

  it("names a Python program's slow function with its call count", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "prof-py", template: "python-script" });
    await caller.files.write({ projectId: project.id, path: "slow.py", content: PYTHON_SLOW });
    const report = await caller.ai.optimizePerformance({ projectId: project.id, command: "python3 slow.py", runs: 1 });
    if (report.mode !== "profile") throw new Error("expected a profile");
    const top = report.hotSpots[0]!;
    expect(top).toMatchObject({ function: "slow_function", file: "slow.py", line: 1, inProject: true, calls: 1, hits: null });
    expect(report.hotSpots.find((s) => s.function === "fast_one")).toMatchObject({ calls: 1000 });
  });

  it("a program that crashes gives a partial report: its profile so far, exit code and the end of its output", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "prof-crash" });
    await caller.files.write({
      projectId: project.id,
      path: "main.js",
      content: NODE_SLOW.replace("console.log(acc, slowFunction());", "slowFunction(); throw new Error('boom at the end');"),
    });
    const report = await caller.ai.optimizePerformance({ projectId: project.id, command: "node main.js", runs: 3 });
    if (report.mode !== "profile") throw new Error("expected a profile");
    expect(report.runs).toBe(1);
    expect(report.failure).toMatchObject({ run: 1, exitCode: 1 });
    expect(report.failure?.outputTail).toContain("boom at the end");
    expect(report.hotSpots[0]?.function).toBe("slowFunction");
  });

  it("compare reports the faster candidate as faster and leaves the project's files exactly as they were", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "prof-compare" });
    const slow = "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nconsole.log(fib(38));\n";
    const fast = "function fib(n) { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; }\nconsole.log(fib(38));\n";
    await caller.files.write({ projectId: project.id, path: "main.js", content: slow });
    const before = await caller.files.tree({ projectId: project.id });
    const report = await caller.ai.optimizePerformance({
      projectId: project.id,
      command: "node main.js",
      runs: 3,
      candidate: { writes: [{ path: "main.js", content: fast }] },
    });
    if (report.mode !== "compare") throw new Error("expected a comparison");
    expect(report.runs).toBe(3);
    expect(report.speedUp.faster, JSON.stringify(report)).toBe("candidate");
    expect(report.speedUp.ratio).toBeGreaterThan(1.5);
    expect(report.speedUp.low).toBeLessThanOrEqual(report.speedUp.ratio);
    expect(report.candidate.medianMs).toBeLessThan(report.baseline.medianMs);
    expect(await caller.files.tree({ projectId: project.id })).toEqual(before);
    expect((await caller.files.read({ projectId: project.id, path: "main.js" })).content).toBe(slow);
  });

  it("refuses a command that hangs (TIMEOUT), runs out of range, and another user's project", async () => {
    const { caller } = await setup();
    const project = await caller.projects.create({ name: "prof-bad" });
    await expect(caller.ai.optimizePerformance({ projectId: project.id, command: "sleep 60", timeoutSeconds: 3 })).rejects.toMatchObject({
      code: "TIMEOUT",
      message: expect.stringMatching(/did not finish within the time limit/),
    });
    await expect(caller.ai.optimizePerformance({ projectId: project.id, command: "true", runs: 11 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.ai.optimizePerformance({ projectId: project.id, command: "true", runs: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const other = await setup();
    await expect(other.caller.ai.optimizePerformance({ projectId: project.id, command: "true" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

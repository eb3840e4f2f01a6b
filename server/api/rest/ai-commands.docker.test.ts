import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { POST as optimize } from "@/app/api/sandbox/projects/[id]/optimize/route";
import { POST as refactor } from "@/app/api/sandbox/projects/[id]/refactor/route";
import { POST as features } from "@/app/api/sandbox/projects/[id]/features/route";
import { GET as listCheckpoints } from "@/app/api/sandbox/projects/[id]/checkpoints/route";
import { GET as getCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/route";
import { POST as restoreCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/restore/route";
import { GET as readFile } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { createSandboxClient, SandboxApiError, type SandboxClient } from "@/packages/sandbox-client/src/index";
import type { SandboxEngine } from "@/server/sandbox/engine";

// The seed's AI commands and checkpoints over REST, driven by the typed client package
// (packages/sandbox-client) against the real route handlers and the real engine (runc or runsc):
// the client's `fetch` option routes each request to its handler, as Next's router would.

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUTES: Array<[string, RegExp, Handler]> = [
  ["POST", /^\/api\/sandbox\/projects$/, createProject],
  ["POST", /^\/api\/sandbox\/projects\/(?<id>\d+)\/files$/, writeFile as Handler],
  ["GET", /^\/api\/sandbox\/projects\/(?<id>\d+)\/files\/content$/, readFile as Handler],
  ["POST", /^\/api\/sandbox\/projects\/(?<id>\d+)\/optimize$/, optimize as Handler],
  ["POST", /^\/api\/sandbox\/projects\/(?<id>\d+)\/refactor$/, refactor as Handler],
  ["POST", /^\/api\/sandbox\/projects\/(?<id>\d+)\/features$/, features as Handler],
  ["GET", /^\/api\/sandbox\/projects\/(?<id>\d+)\/checkpoints$/, listCheckpoints as Handler],
  ["GET", /^\/api\/sandbox\/projects\/(?<id>\d+)\/checkpoints\/(?<checkpointId>\d+)$/, getCheckpoint as Handler],
  ["POST", /^\/api\/sandbox\/projects\/(?<id>\d+)\/checkpoints\/(?<checkpointId>\d+)\/restore$/, restoreCheckpoint as Handler],
];

/** A fetch that hands each request to its route handler instead of the network. */
const routedFetch: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const path = new URL(req.url).pathname;
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (match && req.method === method) return handler(req, { params: Promise.resolve({ ...match.groups }) });
  }
  throw new Error(`no handler for ${req.method} ${path} in this test`);
};

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(() => engine.stop());

async function client(): Promise<SandboxClient> {
  const key = await keyFor(await makeUser(), { name: "ai commands", defaultAiPersonality: "gemini" });
  return createSandboxClient({ url: "http://localhost", apiKey: key, fetch: routedFetch });
}

// One deliberately slow function among fast ones; the busy loop is on line 3.
const NODE_SLOW = `function slowFunction() {
  let x = 0;
  for (let i = 0; i < 1.5e8; i++) x = (x + i * 7) % 1000003;
  return x;
}
function fastOne(n) { return n * 2; }
let acc = 0;
for (let i = 0; i < 1000; i++) acc += fastOne(i);
console.log(acc, slowFunction());
`;

async function refusal(call: () => Promise<unknown>): Promise<SandboxApiError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof SandboxApiError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("POST /api/sandbox/projects/:id/optimize (optimize_performance)", () => {
  it("profiles a small Node program and names its hot function, in snake_case", async () => {
    const sandbox = await client();
    const project = await sandbox.createProject({ name: "rest-optimize" });
    await sandbox.writeFile(project.id, { path: "main.js", content: NODE_SLOW });
    const report = await sandbox.optimizePerformance(project.id, { command: "node main.js", runs: 2, ai_personality: "c24" });
    if (report.mode !== "profile") throw new Error("expected a profile");
    expect(report.runs).toBe(2);
    expect(report.failure).toBeNull();
    expect(report.wall_time.runs_ms).toHaveLength(2);
    expect(report.profiled_ms).toBeGreaterThan(0);
    const hottest = report.hot_spots.find((h) => h.in_project);
    expect(hottest).toMatchObject({ function: "slowFunction", file: "main.js", in_project: true, calls: null });
    expect(hottest?.self_share).toBeGreaterThan(0.5);
    expect(hottest?.hits).toBeGreaterThan(0);
    // The profile came back on stdout: the project's files are what was written.
    expect((await sandbox.readFile(project.id, "main.js")).content).toBe(NODE_SLOW);
  });

  it("refuses bad input with 400 and a message that says what is wrong; a crashing program gets a report naming the failed run", async () => {
    const sandbox = await client();
    const project = await sandbox.createProject({ name: "rest-optimize-bad" });
    const tooMany = await refusal(() => sandbox.optimizePerformance(project.id, { command: "node main.js", runs: 11 }));
    expect([tooMany.status, tooMany.code]).toEqual([400, "BAD_REQUEST"]);
    expect(tooMany.message).toContain("runs must be at most 10");
    const camel = await refusal(() => sandbox.optimizePerformance(project.id, { aiPersonality: "c24" } as never));
    expect(camel.status).toBe(400);
    expect(camel.message).toContain("unknown field `aiPersonality`: did you mean `ai_personality`?");
    // An empty project has no template, so no default command.
    const noCommand = await refusal(() => sandbox.optimizePerformance(project.id));
    expect(noCommand.status).toBe(400);
    expect(noCommand.message).toContain("has no template, so no default command; pass command");
    // A program that crashes is not a refusal: the report says which run failed, with its output.
    const crash = await sandbox.optimizePerformance(project.id, { command: "node -e \"throw new Error('boom')\"", runs: 2 });
    if (crash.mode !== "profile") throw new Error("expected a profile");
    expect(crash.failure).toMatchObject({ run: 1, exit_code: 1, output_tail: expect.stringContaining("boom") });
  });
});

describe("verified change sets and checkpoints through the typed client", () => {
  it("adds a feature, rolls back a failing refactor, lists, shows and restores checkpoints", async () => {
    const sandbox = await client();
    const project = await sandbox.createProject({ name: "rest-change-sets" });
    const feature = await sandbox.addFeature(project.id, {
      description: "add sum",
      changes: [{ op: "write", path: "sum.js", content: "console.log(1 + 2)\n" }],
      verify: "node sum.js",
    });
    expect(feature).toMatchObject({ applied: true, rolled_back: false, written: ["sum.js"], verification: { exit_code: 0, output: "3\n" } });

    const broken = await sandbox.refactorCode(project.id, {
      description: "break sum",
      changes: [{ op: "write", path: "sum.js", content: "throw new Error('no')\n" }],
      verify: "node sum.js",
      ai_personality: "llama",
    });
    expect(broken).toMatchObject({ applied: false, rolled_back: true });
    expect((await sandbox.readFile(project.id, "sum.js")).content).toBe("console.log(1 + 2)\n");

    const { checkpoints } = await sandbox.listCheckpoints(project.id, { limit: 10 });
    expect(checkpoints.map((c) => c.source)).toEqual(["rollback", "refactor", "feature"]);
    expect(checkpoints[1]?.ai_personality).toBe("llama");
    const shown = await sandbox.getCheckpoint(project.id, feature.checkpoint_id ?? 0);
    expect(shown.diffs[0]).toMatchObject({ path: "sum.js", change: "added", diff: expect.stringContaining("+console.log(1 + 2)") });

    // Restoring the refactor's checkpoint brings back what the rollback undid; the restore is itself a checkpoint.
    const restored = await sandbox.restoreCheckpoint(project.id, checkpoints[1]?.id ?? 0);
    expect(restored).toMatchObject({ restored_from: checkpoints[1]?.id, written: ["sum.js"], deleted: [] });
    expect(restored.checkpoint_id).not.toBeNull();
    expect((await sandbox.readFile(project.id, "sum.js")).content).toBe("throw new Error('no')\n");
    const missing = await refusal(() => sandbox.getCheckpoint(project.id, 999_999_999));
    expect(missing.status).toBe(404);
  });
});

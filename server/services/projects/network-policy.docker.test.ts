// The app's wiring end to end (tRPC → execution service → engine → tunnel → egress proxy reading
// the policy from the database): what a project may reach follows its stored network policy.
import { lookup } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import type { EgressDecision } from "@/server/egress/egress-proxy";
import type { SandboxEngine } from "@/server/sandbox/engine";

let engine: SandboxEngine;
const decisions: EgressDecision[] = [];
beforeAll(async () => {
  ({ engine } = await startAppEngine({ defaultTimeoutMs: 90_000 }, { onEgressDecision: (d) => decisions.push(d) }));
});
afterAll(() => engine.stop());

type Caller = Awaited<ReturnType<typeof keyCaller>>["caller"];

async function run(caller: Caller, projectId: number, command: string): Promise<{ output: string; errorOutput: string; exitCode: number | null }> {
  const { executionId } = await caller.executions.run({ projectId, kind: "command", command });
  for await (const _ of await caller.executions.output({ executionId })) {
    // drain until the exit event ends the stream
  }
  const row = await caller.executions.get({ executionId });
  return { output: row.output ?? "", errorOutput: row.errorOutput ?? "", exitCode: row.exitCode };
}

const VIEW = "timeout 60 npm view is-number version --fetch-retries=0 --fetch-timeout=15000 --loglevel=error 2>&1; echo rc=$?";

describe("network policy through the app", () => {
  it("none by default reaches nothing; registry (set by the owner) reaches npm; the proxy reads the stored policy per connection", async () => {
    const owner = await makeUser();
    const { caller } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    const project = await caller.projects.create({ name: "net" });
    const id = String(project.id);

    const closed = await run(caller, project.id, `echo "[$HTTPS_PROXY]"; ${VIEW}`);
    expect(closed.output).toMatch(/^\[\]\n/);
    expect(closed.output).toMatch(/rc=[1-9]/);
    expect(decisions.filter((d) => d.projectId === id)).toEqual([]);

    await caller.projects.update({ projectId: project.id, networkPolicy: "registry" });
    const opened = await run(caller, project.id, VIEW);
    expect(opened.output, opened.errorOutput).toMatch(/^\d+\.\d+\.\d+\nrc=0\n$/);
    expect(decisions.filter((d) => d.projectId === id).every((d) => d.allowed && d.host === "registry.npmjs.org")).toBe(true);
    expect(decisions.some((d) => d.projectId === id)).toBe(true);

    // A non-allowed domain through the same tunnel: refused, with this project's id.
    const refused = await run(
      caller,
      project.id,
      `node -e 'require("http").request({ host: "127.0.0.1", port: 3128, method: "CONNECT", path: "example.com:443" }).on("connect", (r) => { console.log(r.statusCode); process.exit(0); }).end()'`,
    );
    expect(refused.output).toBe("403\n");
    expect(decisions.at(-1)).toMatchObject({ projectId: id, policy: "registry", host: "example.com", allowed: false });

    // Back to none: the next execution has no proxy and no tunnel.
    await caller.projects.update({ projectId: project.id, networkPolicy: "none" });
    const again = await run(caller, project.id, `echo "[$HTTPS_PROXY]"; (echo > /dev/tcp/127.0.0.1/3128) 2>/dev/null && echo listening || echo closed`);
    expect(again.output).toBe("[]\nclosed\n");
  });

  it("attack: the owner cannot open the network; an admin can", async () => {
    const owner = await makeUser();
    const admin = await makeUser("admin");
    const { caller } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    const project = await caller.projects.create({ name: "net" });
    await expect(caller.projects.update({ projectId: project.id, networkPolicy: "open" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await (await sessionCaller(admin.id)).projects.update({ projectId: project.id, networkPolicy: "open" });
    // The registry by its address: only "open" allows IP literals (and only public ones).
    const { address } = await lookup("registry.npmjs.org", { family: 4 });
    const r = await run(
      caller,
      project.id,
      `node -e 'require("http").request({ host: "127.0.0.1", port: 3128, method: "CONNECT", path: "${address}:443" }).on("connect", (r) => { console.log(r.statusCode); process.exit(0); }).end()'`,
    );
    expect(r.output).toBe("200\n");
  });
});

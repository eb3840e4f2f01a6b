import { createHash } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as trpcPost } from "@/app/api/trpc/[trpc]/route";
import { GET as restContent } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { POST as restFeature } from "@/app/api/sandbox/projects/[id]/features/route";
import { POST as restWrite } from "@/app/api/sandbox/projects/[id]/files/route";
import { keyCaller } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { connectMcpClient } from "@/test/support/mcp-client";
import { startRouteServer } from "@/test/support/route-server";
import { handleMcpRequest } from "@/server/api/mcp/mcp-http";
import { verifiedChangeSetInput } from "@/server/api/routers/ai/verified-change-set.schema";
import { AppError } from "@/server/errors/app-error";
import { getFileChangeHub, type FileChange } from "@/server/services/files/file-change-hub";

// No lost edits: every write may name the version it was based on; a write over another version is
// refused (tRPC CONFLICT / REST 409 / MCP tool error) with the current version, and nothing is written.

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const GARBAGE = ["", "abc", "z".repeat(64), sha("x").toUpperCase(), `${sha("x")}0`, 42, {}];

async function setUp() {
  const user = await makeUser();
  const { caller, key } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"], "c24");
  const project = await caller.projects.create({ name: "versions" });
  return { user, caller, key, projectId: project.id };
}

/** The conflicts a refused tRPC caller call carries (its cause is the service's AppError). */
async function conflictsOf(call: Promise<unknown>) {
  const err = await call.then(
    () => null,
    (e: unknown) => e as { code?: string; cause?: unknown },
  );
  expect(err?.code).toBe("CONFLICT");
  expect(err?.cause).toBeInstanceOf(AppError);
  return (err?.cause as AppError).details?.conflicts;
}

describe("file versions (tRPC)", () => {
  it("a read gives the SHA-256 of the bytes; a write based on it passes, a stale one is refused with the current version and writes nothing", async () => {
    const { caller, projectId } = await setUp();
    const first = await caller.files.write({ projectId, path: "a.ts", content: "one\n", baseVersion: null });
    expect(first.version).toBe(sha("one\n"));
    expect((await caller.files.read({ projectId, path: "a.ts" })).version).toBe(first.version);
    expect((await caller.files.tree({ projectId }))[0]?.version).toBe(first.version);

    const second = await caller.files.write({ projectId, path: "a.ts", content: "two\n", baseVersion: first.version });
    expect(second.version).toBe(sha("two\n"));

    // Another writer still holding "one" is refused, told what is stored now.
    const conflicts = await conflictsOf(caller.files.write({ projectId, path: "a.ts", content: "mine\n", baseVersion: first.version }));
    expect(conflicts).toEqual([{ path: "a.ts", baseVersion: first.version, currentVersion: second.version }]);
    expect((await caller.files.read({ projectId, path: "a.ts" })).content).toBe("two\n");

    // Overwrite on purpose: based on the current version.
    expect((await caller.files.write({ projectId, path: "a.ts", content: "mine\n", baseVersion: second.version })).content).toBe("mine\n");
    // Writing the bytes already stored is no conflict whatever the base (a retried save).
    expect((await caller.files.write({ projectId, path: "a.ts", content: "mine\n", baseVersion: first.version })).version).toBe(sha("mine\n"));
    // No base version: create or overwrite, as documented.
    expect((await caller.files.write({ projectId, path: "a.ts", content: "blind\n" })).content).toBe("blind\n");
  });

  it("a write without a base version overwrites, as documented, and what it replaced stays in the history, restorable", async () => {
    const { user, caller, projectId } = await setUp();
    const mine = await caller.files.write({ projectId, path: "b.ts", content: "the person's work\n", baseVersion: null });
    // A client that sends no version (REST without base_version, an older AI tool): no refusal...
    const url = `http://localhost/api/sandbox/projects/${projectId}/files`;
    const headers = { "content-type": "application/json", authorization: `Bearer ${await keyFor(user)}` };
    const blind = await restWrite(
      new Request(url, { method: "POST", headers, body: JSON.stringify({ path: "b.ts", content: "blind\n", ai_personality: "geppo" }) }),
      { params: Promise.resolve({ id: String(projectId) }) },
    );
    expect(blind.status).toBe(201);
    expect((await caller.files.read({ projectId, path: "b.ts" })).content).toBe("blind\n");
    // ...but nothing is lost: the overwrite is a checkpoint of its own, and the one before it holds the replaced bytes.
    const [latest, before] = (await caller.checkpoints.list({ projectId })).checkpoints;
    expect(latest).toMatchObject({ source: "ai", author: { aiPersonality: "geppo" } });
    const diff = (await caller.checkpoints.get({ projectId, checkpointId: latest!.id })).diffs.find((d) => d.path === "b.ts");
    expect(diff).toMatchObject({ change: "modified", before: { content: "the person's work\n" }, after: { content: "blind\n" } });
    await caller.checkpoints.restore({ projectId, checkpointId: before!.id });
    const restored = await caller.files.read({ projectId, path: "b.ts" });
    expect(restored).toMatchObject({ content: "the person's work\n", version: mine.version });
  });

  it("null creates only; a base version of a deleted file is a conflict with currentVersion null", async () => {
    const { caller, projectId } = await setUp();
    const made = await caller.files.write({ projectId, path: "n.txt", content: "n", baseVersion: null });
    expect(await conflictsOf(caller.files.write({ projectId, path: "n.txt", content: "other", baseVersion: null }))).toEqual([
      { path: "n.txt", baseVersion: null, currentVersion: made.version },
    ]);
    await caller.files.delete({ projectId, path: "n.txt" });
    const gone = await caller.files.write({ projectId, path: "n.txt", content: "back", baseVersion: made.version }).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("n.txt was deleted since version") });
    await expect(caller.files.read({ projectId, path: "n.txt" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Binary content: the version is of the decoded bytes.
    const bin = await caller.files.write({ projectId, path: "b.bin", content: "AAEC", encoding: "base64", baseVersion: null });
    expect(bin.version).toBe(
      createHash("sha256")
        .update(Buffer.from([0, 1, 2]))
        .digest("hex"),
    );
  });

  it("garbage versions are refused with a message naming the field, writing nothing", async () => {
    const { caller, projectId } = await setUp();
    await caller.files.write({ projectId, path: "g.txt", content: "kept" });
    for (const baseVersion of GARBAGE) {
      const err = await caller.files
        // @ts-expect-error -- hostile input on purpose
        .write({ projectId, path: "g.txt", content: "lost?", baseVersion })
        .catch((e: unknown) => e as { code: string; message: string });
      expect(err, JSON.stringify(baseVersion)).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("baseVersion") });
    }
    expect((await caller.files.read({ projectId, path: "g.txt" })).content).toBe("kept");
  });

  it("a change set with one stale base writes none of it (files.writeMany, ai.applyChanges); versions come back for the next write", async () => {
    const { caller, projectId } = await setUp();
    const set = await caller.files.writeMany({
      projectId,
      writes: [
        { path: "x.ts", content: "x1", baseVersion: null },
        { path: "y.ts", content: "y1", baseVersion: null },
      ],
    });
    expect(set.versions).toEqual({ "x.ts": sha("x1"), "y.ts": sha("y1") });
    await caller.files.write({ projectId, path: "y.ts", content: "y-by-someone-else" });
    const stale = caller.ai.applyChanges({
      projectId,
      writes: [
        { path: "x.ts", content: "x2", baseVersion: sha("x1") },
        { path: "y.ts", content: "y2", baseVersion: sha("y1") },
        { path: "z.ts", content: "z", baseVersion: null },
      ],
      deletes: [],
    });
    expect(await conflictsOf(stale)).toEqual([{ path: "y.ts", baseVersion: sha("y1"), currentVersion: sha("y-by-someone-else") }]);
    expect((await caller.files.tree({ projectId })).map((f) => [f.filePath, f.version])).toEqual([
      ["x.ts", sha("x1")],
      ["y.ts", sha("y-by-someone-else")],
    ]);
    // The AI reads the context (with versions) and bases its change set on it.
    const context = await caller.ai.getContext({ projectId });
    const base = Object.fromEntries(context.contents.map((c) => [c.path, c.version]));
    expect(context.tree.map((f) => f.version)).toEqual([sha("x1"), sha("y-by-someone-else")]);
    const applied = await caller.ai.applyChanges({ projectId, writes: [{ path: "y.ts", content: "y2", baseVersion: base["y.ts"] }], deletes: [] });
    expect(applied.versions).toEqual({ "y.ts": sha("y2") });
  });

  it("a verified change set (refactor, feature) with a stale base writes nothing and runs nothing (tRPC, REST, MCP's schema)", async () => {
    const { user, caller, projectId } = await setUp();
    const v1 = (await caller.files.write({ projectId, path: "r.ts", content: "r1", baseVersion: null })).version;
    await caller.files.write({ projectId, path: "r.ts", content: "r-by-the-person", baseVersion: v1 });
    const checkpoints = async () => (await caller.checkpoints.list({ projectId })).checkpoints.length;
    const before = await checkpoints();

    const stale = caller.ai.refactorCode({
      projectId,
      description: "rename",
      verify: "true",
      changes: [
        { op: "write", path: "r.ts", content: "r-by-the-ai", baseVersion: v1 },
        { op: "write", path: "new.ts", content: "n", baseVersion: null },
      ],
    });
    expect(await conflictsOf(stale)).toEqual([{ path: "r.ts", baseVersion: v1, currentVersion: sha("r-by-the-person") }]);
    expect((await caller.files.tree({ projectId })).map((f) => f.filePath)).toEqual(["r.ts"]);
    expect((await caller.files.read({ projectId, path: "r.ts" })).content).toBe("r-by-the-person");
    // Refused before the verification: no execution started, no checkpoint, no rollback.
    expect(await caller.executions.history({ projectId })).toEqual([]);
    expect(await checkpoints()).toBe(before);

    const url = `http://localhost/api/sandbox/projects/${projectId}/features`;
    const headers = { "content-type": "application/json", authorization: `Bearer ${await keyFor(user)}` };
    const params = { params: Promise.resolve({ id: String(projectId) }) };
    const post = (changes: unknown[]) =>
      restFeature(new Request(url, { method: "POST", headers, body: JSON.stringify({ description: "feature", verify: "true", changes }) }), params);
    const refused = await post([{ op: "write", path: "r.ts", content: "r-by-the-ai", base_version: v1 }]);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { conflicts: unknown } }).error.conflicts).toEqual([
      { path: "r.ts", base_version: v1, current_version: sha("r-by-the-person") },
    ]);
    const garbage = await post([{ op: "write", path: "r.ts", content: "x", base_version: "abc" }]);
    expect(garbage.status).toBe(400);
    expect(JSON.stringify(await garbage.json())).toContain("base_version");
    // camelCase in REST gets the snake_case field suggested.
    const camel = await post([{ op: "write", path: "r.ts", content: "x", baseVersion: v1 }]);
    expect(camel.status).toBe(400);
    expect(JSON.stringify(await camel.json())).toContain("did you mean `base_version`");
    expect((await caller.files.read({ projectId, path: "r.ts" })).content).toBe("r-by-the-person");
    expect(await checkpoints()).toBe(before);
    // MCP's refactor_code and add_feature take the tRPC input: the same field.
    expect(verifiedChangeSetInput.safeParse({ projectId, description: "d", changes: [{ op: "write", path: "a", content: "", baseVersion: v1 }] }).success).toBe(
      true,
    );
  });

  it("ten concurrent saves from the same version: exactly one wins, the others get CONFLICT naming the winner's version", async () => {
    const { caller, projectId } = await setUp();
    const base = (await caller.files.write({ projectId, path: "race.txt", content: "base" })).version;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => caller.files.write({ projectId, path: "race.txt", content: `writer ${i}`, baseVersion: base })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ content: string | null; version: string }>).value;
    for (const r of results.filter((r) => r.status === "rejected")) {
      const reason = r.reason as { code: string; cause: AppError };
      expect(reason.code).toBe("CONFLICT");
      expect(reason.cause.details?.conflicts).toEqual([{ path: "race.txt", baseVersion: base, currentVersion: winner.version }]);
    }
    expect((await caller.files.read({ projectId, path: "race.txt" })).content).toBe(winner.content);
  });

  it("the change feed carries real content changes only, with their versions", async () => {
    const { caller, projectId } = await setUp();
    const seen: FileChange[] = [];
    const { unsubscribe } = getFileChangeHub().subscribe(projectId, null, (c) => seen.push(c));
    try {
      await caller.files.write({ projectId, path: "f.txt", content: "same" });
      await caller.files.write({ projectId, path: "f.txt", content: "same" });
      await caller.files.write({ projectId, path: "f.txt", content: "same", baseVersion: sha("same") });
      await caller.files.write({ projectId, path: "f.txt", content: "new" });
    } finally {
      unsubscribe();
    }
    expect(seen.map((c) => c.versions)).toEqual([{ "f.txt": sha("same") }, { "f.txt": sha("new") }]);
  });
});

describe("file versions over HTTP", () => {
  it("tRPC: CONFLICT (409) with data.conflicts", async () => {
    const { key, caller, projectId } = await setUp();
    const v1 = (await caller.files.write({ projectId, path: "h.txt", content: "1" })).version;
    await caller.files.write({ projectId, path: "h.txt", content: "2" });
    const res = await trpcPost(
      new Request("http://localhost/api/trpc/files.write", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(superjson.serialize({ projectId, path: "h.txt", content: "3", baseVersion: v1 })),
      }),
    );
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string; conflicts: unknown } } } };
    expect(body.error.json.data).toMatchObject({ code: "CONFLICT", conflicts: [{ path: "h.txt", baseVersion: v1, currentVersion: sha("2") }] });
    expect(body.error.json.message).toContain("h.txt changed since version");
  });

  it("REST: base_version, 409 with error.conflicts, 400 for garbage, and concurrent writes: exactly one 201", async () => {
    const user = await makeUser();
    const headers = { "content-type": "application/json", authorization: `Bearer ${await keyFor(user)}` };
    const { caller } = await keyCaller(user, ["projects:read", "projects:write"]);
    const projectId = (await caller.projects.create({ name: "rest versions" })).id;
    const url = `http://localhost/api/sandbox/projects/${projectId}/files`;
    const params = { params: Promise.resolve({ id: String(projectId) }) };
    const write = (body: Record<string, unknown>) => restWrite(new Request(url, { method: "POST", headers, body: JSON.stringify(body) }), params);

    const created = await write({ path: "r.py", content: "print(1)\n", base_version: null });
    expect(created.status).toBe(201);
    const v1 = ((await created.json()) as { version: string }).version;
    expect(v1).toBe(sha("print(1)\n"));

    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => write({ path: "r.py", content: `print(${i + 10})\n`, base_version: v1 })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = (await results.find((r) => r.status === 201)!.json()) as { version: string };
    const refused = (await results.find((r) => r.status === 409)!.json()) as { error: { code: string; conflicts: unknown } };
    expect(refused.error).toMatchObject({ code: "CONFLICT", conflicts: [{ path: "r.py", base_version: v1, current_version: winner.version }] });

    for (const base_version of GARBAGE) {
      const res = await write({ path: "r.py", content: "lost?", base_version });
      expect(res.status, JSON.stringify(base_version)).toBe(400);
      expect(((await res.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toContain("base_version");
    }
    expect((await caller.files.read({ projectId, path: "r.py" })).version).toBe(winner.version);
    // A reader gets the version to base its write on, as JSON and as the raw bytes' ETag.
    const read = (accept: string) => restContent(new Request(`${url}/content?path=r.py`, { headers: { ...headers, accept } }), params);
    expect(((await (await read("application/json")).json()) as { version: string }).version).toBe(winner.version);
    expect((await read("application/octet-stream")).headers.get("etag")).toBe(`"${winner.version}"`);
  });

  describe("MCP", () => {
    let url: string;
    let close: () => Promise<void>;
    let client: Client | undefined;
    beforeAll(async () => {
      ({ url, close } = await startRouteServer(handleMcpRequest));
    });
    afterAll(async () => {
      await client?.close().catch(() => {});
      await close();
    });

    it("write_file with a stale baseVersion is a tool error with the current version; read_file gives the version", async () => {
      const { key, caller, projectId } = await setUp();
      client = await connectMcpClient(url, { authorization: `Bearer ${key}` });
      const v1 = (await caller.files.write({ projectId, path: "m.md", content: "# one" })).version;
      await caller.files.write({ projectId, path: "m.md", content: "# person's edit" });
      const read = await client.callTool({ name: "read_file", arguments: { projectId, path: "m.md" } });
      expect((read.structuredContent as { version: string }).version).toBe(sha("# person's edit"));
      const result = await client.callTool({ name: "write_file", arguments: { projectId, path: "m.md", content: "# ai", baseVersion: v1 } });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({
        error: { code: "CONFLICT", conflicts: [{ path: "m.md", baseVersion: v1, currentVersion: sha("# person's edit") }] },
      });
      expect((await caller.files.read({ projectId, path: "m.md" })).content).toBe("# person's edit");
    });
  });
});

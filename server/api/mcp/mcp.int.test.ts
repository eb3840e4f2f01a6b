import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleMcpRequest } from "@/server/api/mcp/mcp-http";
import { sessionCookie } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { connectMcpClient } from "@/test/support/mcp-client";
import { startRouteServer } from "@/test/support/route-server";
import type { ApiScope } from "@/server/auth/auth-user";
import { fileRepository } from "@/server/repositories/file-repository";
import { createApiKey, revokeApiKey } from "@/server/services/users/api-key-service";

// The real /api/mcp handler on a socket, driven by the MCP SDK's own client (no Docker here:
// running commands is in mcp.docker.test.ts).
let url: string;
let close: () => Promise<void>;
const clients: Client[] = [];
beforeAll(async () => {
  ({ url, close } = await startRouteServer(handleMcpRequest));
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await close();
});

async function clientFor(user: { id: number; role: string }, scopes?: ApiScope[], defaultAiPersonality?: "llama" | "geppo") {
  const key = await keyFor(user, { name: "mcp", scopes, defaultAiPersonality });
  const client = await connectMcpClient(url, { authorization: `Bearer ${key}` });
  clients.push(client);
  return client;
}

type Structured = Record<string, unknown>;
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  return { isError: result.isError === true, data: result.structuredContent as Structured, text: (result.content as { text: string }[])[0]?.text ?? "" };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to be refused");
}

describe("MCP at /api/mcp", () => {
  it("lists the tools with JSON Schemas from the zod inputs, and the file resource template", async () => {
    const client = await clientFor(await makeUser());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "list_templates",
      "list_projects",
      "create_project",
      "list_files",
      "read_file",
      "write_file",
      "run",
      "run_tests",
      "debug",
      "get_context",
      "apply_changes",
      "refactor_code",
      "add_feature",
      "list_checkpoints",
      "get_checkpoint",
      "restore_checkpoint",
      "optimize_performance",
      "start_dev_server",
      "stop_process",
    ]);
    const write = tools.find((t) => t.name === "write_file");
    expect(write?.inputSchema).toMatchObject({ type: "object", required: expect.arrayContaining(["projectId", "path", "content"]) });
    expect(write?.description).toContain("projects:write");
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates[0]?.uriTemplate).toBe("sandbox://projects/{projectId}/files/{+path}");
    expect(client.getServerVersion()?.name).toBe("pantheon-sandbox");
  });

  it("creates a project from a template, writes, reads back (tool and resource), attributed to the AI", async () => {
    const user = await makeUser();
    const client = await clientFor(user, undefined, "llama");
    const project = await call(client, "create_project", { name: "mcp app", template: "node-api" });
    expect(project.isError).toBe(false);
    expect(project.data).toMatchObject({ name: "mcp app", templateType: "node-api", createdByAi: "llama", userId: user.id });
    const projectId = project.data.id as number;

    const written = await call(client, "write_file", { projectId, path: "src/hello.js", content: "console.log('hi')\n", aiPersonality: "geppo" });
    expect(written.data).toMatchObject({ filePath: "src/hello.js", createdByAi: "geppo" });
    const read = await call(client, "read_file", { projectId, path: "src/hello.js" });
    expect(read.data).toMatchObject({ content: "console.log('hi')\n", encoding: "utf8" });
    expect(JSON.parse(read.text)).toMatchObject({ content: "console.log('hi')\n" });

    const files = await call(client, "list_files", { projectId });
    expect((files.data.files as { filePath: string }[]).map((f) => f.filePath)).toContain("src/hello.js");

    const { resources } = await client.listResources();
    const uri = `sandbox://projects/${projectId}/files/src/hello.js`;
    expect(resources.map((r) => r.uri)).toContain(uri);
    const resource = await client.readResource({ uri });
    expect(resource.contents[0]).toMatchObject({ uri, text: "console.log('hi')\n" });

    // Odd names survive the resource URI (each segment percent-encoded).
    await call(client, "write_file", { projectId, path: "docs/a b#1%.md", content: "# odd" });
    const odd = (await client.listResources()).resources.find((r) => r.name.endsWith("docs/a b#1%.md"));
    expect(odd?.uri).toBe(`sandbox://projects/${projectId}/files/docs/a%20b%231%25.md`);
    expect((await client.readResource({ uri: odd?.uri ?? "" })).contents[0]).toMatchObject({ text: "# odd" });

    const context = await call(client, "get_context", { projectId });
    expect((context.data.tree as { path: string }[]).map((f) => f.path)).toContain("src/hello.js");
    const debug = await call(client, "debug", { projectId });
    expect(debug.data).toEqual({ execution: null, diagnostics: [] });
  });

  it("lists, shows and restores checkpoints; refactor_code refuses a duplicate path, writing nothing", async () => {
    const client = await clientFor(await makeUser(), undefined, "llama");
    const { id: projectId } = (await call(client, "create_project", { name: "history", template: "python-script" })).data as { id: number };
    await call(client, "write_file", { projectId, path: "a.txt", content: "one\n" });
    await call(client, "write_file", { projectId, path: "a.txt", content: "two\n" });
    const list = (await call(client, "list_checkpoints", { projectId })).data as {
      checkpoints: { id: number; source: string; author: { aiPersonality: string } }[];
    };
    const [second, first] = list.checkpoints;
    expect(second).toMatchObject({ source: "ai", author: { aiPersonality: "llama" } });
    const shown = (await call(client, "get_checkpoint", { projectId, checkpointId: second!.id })).data as { diffs: { diff: string }[] };
    expect(shown.diffs[0]?.diff).toContain("-one\n+two");
    const restored = await call(client, "restore_checkpoint", { projectId, checkpointId: first!.id });
    expect(restored.data).toMatchObject({ restoredFrom: first!.id, written: ["a.txt"] });
    expect((await fileRepository.find(projectId, "a.txt"))?.content).toBe("one\n");
    const refused = await call(client, "refactor_code", {
      projectId,
      description: "dup",
      verify: "true",
      changes: [
        { op: "write", path: "a.txt", content: "x" },
        { op: "delete", path: "a.txt" },
      ],
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("appears twice");
    expect((await fileRepository.find(projectId, "a.txt"))?.content).toBe("one\n");
  });

  it("refuses anonymous calls and session cookies with 401: only the Bearer key authenticates", async () => {
    const user = await makeUser();
    const attempts: Record<string, string>[] = [{}, { cookie: await sessionCookie(user.id) }, { authorization: "Bearer psk_nope" }];
    for (const headers of attempts) {
      const err = await rejection(connectMcpClient(url, headers));
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(401);
    }
    const res = await fetch(`${url}/api/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32001, message: expect.stringContaining("Authorization: Bearer") } });
  });

  it("answers another user's project as not found, for tools and resources, and writes nothing", async () => {
    const owner = await clientFor(await makeUser());
    const projectId = (await call(owner, "create_project", { name: "private", template: "node-api" })).data.id as number;
    const intruder = await clientFor(await makeUser());
    for (const [name, args] of [
      ["read_file", { projectId, path: "package.json" }],
      ["write_file", { projectId, path: "pwned.txt", content: "x" }],
      ["list_files", { projectId }],
      ["get_context", { projectId }],
      ["run", { projectId, command: "id" }],
    ] as const) {
      const result = await call(intruder, name, args);
      expect(result.isError, name).toBe(true);
      expect(result.data, name).toMatchObject({ error: { code: "NOT_FOUND" } });
      expect(result.text).toContain(`${projectId}`);
    }
    const err = await rejection(intruder.readResource({ uri: `sandbox://projects/${projectId}/files/package.json` }));
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32004);
    expect(await fileRepository.find(projectId, "pwned.txt")).toBeNull();
  });

  it("enforces scopes: a projects:read key reads but cannot write or run", async () => {
    const user = await makeUser();
    const writer = await clientFor(user);
    const projectId = (await call(writer, "create_project", { name: "scoped", template: "node-api" })).data.id as number;
    const reader = await clientFor(user, ["projects:read"]);
    expect((await call(reader, "list_files", { projectId })).isError).toBe(false);
    for (const [name, args, scope] of [
      ["write_file", { projectId, path: "x.txt", content: "x" }, "projects:write"],
      ["create_project", { name: "no", template: "node-api" }, "projects:write"],
      ["run", { projectId, command: "true" }, "executions:run"],
      ["apply_changes", { projectId, writes: [{ path: "x.txt", content: "x" }] }, "projects:write, executions:run"],
      ["optimize_performance", { projectId, command: "true" }, "executions:run"],
    ] as const) {
      const err = await rejection(call(reader, name, args));
      expect(err, name).toBeInstanceOf(McpError);
      expect((err as McpError).code).toBe(-32003);
      expect(err.message).toContain(`lacks the ${scope} scope`);
    }
    expect(await fileRepository.find(projectId, "x.txt")).toBeNull();
  });

  it("answers wrong argument types, bad paths, unknown tools and malformed bodies with JSON-RPC errors, writing nothing", async () => {
    const client = await clientFor(await makeUser());
    const projectId = (await call(client, "create_project", { name: "bad input", template: "node-api" })).data.id as number;

    const typed = await rejection(call(client, "write_file", { projectId: "one", path: 7, content: "x" }));
    expect(typed).toBeInstanceOf(McpError);
    expect((typed as McpError).code).toBe(-32602);
    expect(typed.message).toMatch(/Invalid arguments for write_file: .*projectId/);
    expect(typed.message).toContain("path");

    const traversal = await rejection(call(client, "write_file", { projectId, path: "../../etc/passwd", content: "x" }));
    expect((traversal as McpError).code).toBe(-32602);
    expect(traversal.message).toContain("relative path");

    const persona = await rejection(call(client, "write_file", { projectId, path: "a.txt", content: "x", aiPersonality: "skynet" }));
    expect(persona.message).toContain("aiPersonality must be one of geppo, c24, gemini, llama, mistral");

    const both = await rejection(call(client, "run", { projectId, command: "true", language: "node", code: "1" }));
    expect(both.message).toContain("not both");

    const unknown = await rejection(call(client, "rm_rf", {}));
    expect((unknown as McpError).code).toBe(-32602);
    expect(unknown.message).toBe('MCP error -32602: Unknown tool "rm_rf"; tools/list names the 19 tools');

    const badUri = await rejection(client.readResource({ uri: "file:///etc/passwd" }));
    expect((badUri as McpError).code).toBe(-32602);

    const files = await call(client, "list_files", { projectId });
    expect((files.data.files as { filePath: string }[]).map((f) => f.filePath)).not.toContain("etc/passwd");

    const key = await keyFor(await makeUser(), { name: "raw" });
    const raw = await fetch(`${url}/api/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: { code: -32700, message: expect.stringContaining("not valid JSON") } });
    const get = await fetch(`${url}/api/mcp`, { headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" } });
    expect(get.status).toBe(405);
  });

  it("refuses an oversized body with 413 before parsing it (SANDBOX_MAX_BODY_BYTES), an oversized file as a tool error, writing nothing", async () => {
    const client = await clientFor(await makeUser());
    const projectId = (await call(client, "create_project", { name: "big", template: "node-api" })).data.id as number;
    const err = await rejection(call(client, "write_file", { projectId, path: "big.txt", content: "x".repeat(3 * 1024 * 1024) }));
    expect(err).toBeInstanceOf(StreamableHTTPError);
    expect((err as StreamableHTTPError).code).toBe(413);
    expect(err.message).toContain("SANDBOX_MAX_BODY_BYTES");
    expect(await fileRepository.find(projectId, "big.txt")).toBeNull();

    // Within the body cap but above SANDBOX_MAX_FILE_SIZE: the service refuses, as a tool error the model can read.
    const tooBig = await call(client, "write_file", { projectId, path: "big.txt", content: "x".repeat(1024 * 1024 + 1) });
    expect(tooBig).toMatchObject({ isError: true, data: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    expect(await fileRepository.find(projectId, "big.txt")).toBeNull();
  });

  it("refuses a key revoked mid-session on its next call, writing nothing", async () => {
    const user = await makeUser();
    const { key, record } = await createApiKey(user, { name: "revoked" });
    const client = await connectMcpClient(url, { authorization: `Bearer ${key}` });
    clients.push(client);
    const projectId = (await call(client, "create_project", { name: "revoke", template: "node-api" })).data.id as number;
    await revokeApiKey(record.prefix, user.id);
    const err = await rejection(call(client, "write_file", { projectId, path: "after.txt", content: "x" }));
    expect(err).toBeInstanceOf(StreamableHTTPError);
    expect((err as StreamableHTTPError).code).toBe(401);
    expect(err.message).toContain("revoked");
    expect(await fileRepository.find(projectId, "after.txt")).toBeNull();
  });
});

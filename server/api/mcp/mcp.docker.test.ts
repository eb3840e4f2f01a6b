import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleMcpRequest } from "@/server/api/mcp/mcp-http";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { connectMcpClient } from "@/test/support/mcp-client";
import { startPreviewHarness, waitForPreview } from "@/test/support/preview-harness";
import { startRouteServer } from "@/test/support/route-server";
import { executionRepository } from "@/server/repositories/execution-repository";

// The MCP tools that need a sandbox, through the real /api/mcp handler on a socket, driven by the
// SDK's own client: run (exit code, output, progress notifications), debug, apply_changes, and a
// dev server's preview URL. Under runc and runsc.
let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
let url: string;
let close: () => Promise<void>;
let client: Client;
let key: string;
beforeAll(async () => {
  harness = await startPreviewHarness("4860-4869");
  ({ url, close } = await startRouteServer(handleMcpRequest));
  key = await keyFor(await makeUser(), { name: "mcp", defaultAiPersonality: "c24" });
  client = await connectMcpClient(url, { authorization: `Bearer ${key}` });
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await close?.();
  await harness?.stop();
});

type Structured = Record<string, unknown>;
// The client hands onprogress the notification's params without the token (its type omits _meta).
type ProgressParams = Progress & { _meta?: Record<string, unknown> };
async function call(name: string, args: Record<string, unknown>, onprogress?: (p: ProgressParams) => void) {
  const result = await client.callTool(
    { name, arguments: args },
    undefined,
    onprogress ? { onprogress: (p: Progress) => onprogress(p), resetTimeoutOnProgress: true } : undefined,
  );
  expect(result.isError, JSON.stringify(result.content)).not.toBe(true);
  return result.structuredContent as Structured;
}

describe("MCP tools in a sandbox", () => {
  it("creates, writes, runs with progress notifications (exit code + output), reads back, debugs, applies changes", async () => {
    const projectId = (await call("create_project", { name: "mcp run", template: "node-api" })).id as number;
    await call("write_file", {
      projectId,
      path: "count.js",
      content: "for (let i = 1; i <= 3; i++) console.log('line ' + i);\nconsole.error('oops');\nprocess.exit(3);\n",
    });

    const progress: ProgressParams[] = [];
    const run = await call("run", { projectId, command: "node count.js" }, (p) => progress.push(p));
    expect(run).toMatchObject({ exitCode: 3, status: "error", output: "line 1\nline 2\nline 3\n", errorOutput: "oops\n", executedByAi: "c24" });
    expect(progress.length).toBeGreaterThan(0);
    const streamed = (stream: string) =>
      progress
        .filter((p) => p._meta?.["pantheon/stream"] === stream)
        .map((p) => p.message)
        .join("");
    expect(streamed("stdout")).toBe("line 1\nline 2\nline 3\n");
    expect(streamed("stderr")).toBe("oops\n");
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    expect((await executionRepository.findById(run.id as number))?.exitCode).toBe(3);

    // A snippet, no progress asked for: the result alone.
    expect(await call("run", { projectId, language: "node", code: "console.log(6 * 7)" })).toMatchObject({ exitCode: 0, output: "42\n" });

    // An execution's files come back: read the file it wrote.
    await call("run", { projectId, command: "node -e \"require('fs').writeFileSync('out.txt', 'made in the sandbox')\"" });
    expect(await call("read_file", { projectId, path: "out.txt" })).toMatchObject({ content: "made in the sandbox" });

    await call("write_file", { projectId, path: "broken.js", content: "const x = 1;\nundefinedThing();\n" });
    await call("run", { projectId, command: "node broken.js" });
    const debug = await call("debug", { projectId });
    expect(debug.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ file: "broken.js", line: 2, kind: "node" })]));

    const applied = await call("apply_changes", {
      projectId,
      writes: [{ path: "broken.js", content: "console.log('fixed');\n" }],
      deletes: ["count.js"],
      verifyCommand: "node broken.js",
    });
    expect(applied).toMatchObject({ written: ["broken.js"], deleted: ["count.js"], verification: { exitCode: 0, output: "fixed\n" } });
  });

  it("starts a dev server and returns its preview URL, which answers the key's owner", async () => {
    const projectId = (await call("create_project", { name: "mcp preview", template: "node-api" })).id as number;
    const started = await call("start_dev_server", {
      projectId,
      command: "node -e \"require('http').createServer((q, s) => s.end('hello from mcp')).listen(process.env.PORT)\"",
      port: 8080,
    });
    expect(started).toMatchObject({ status: "running", port: 8080, startedByAi: "c24", previewUrl: expect.stringMatching(/^http:\/\/[^/]+:48[6-9]\d\/$/) });
    const answer = await waitForPreview(started.previewUrl as string, { authorization: `Bearer ${key}` });
    expect(answer).toMatchObject({ status: 200, body: "hello from mcp" });
    expect(await call("stop_process", { processId: started.id })).toMatchObject({ status: "stopped", previewUrl: null });
  });
});

import { spawn } from "node:child_process";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppEngine } from "@/test/support/app-engine";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { startTrpcRouteServer } from "@/test/support/route-server";
import type { SandboxEngine } from "@/server/sandbox/engine";
import { createSandboxClient } from "./sandbox-client";
import { runChatExample } from "./sandbox-client-example";

// The chat service's typed client over real HTTP and SSE, against the real route handler and engine.
let engine: SandboxEngine;
let server: Awaited<ReturnType<typeof startTrpcRouteServer>>;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
  server = await startTrpcRouteServer();
});
afterAll(async () => {
  await server.close();
  await engine.stop();
});

describe("createSandboxClient", () => {
  it("creates, writes, runs and streams the output over HTTP + SSE with an API key", async () => {
    const key = await keyFor(await makeUser(), { name: "chat", defaultAiPersonality: "c24" });
    const lines: string[] = [];
    const exitCode = await runChatExample(createSandboxClient({ url: server.url, apiKey: key }), (l) => lines.push(l));
    expect(exitCode).toBe(0);
    expect(lines.filter((l) => l.startsWith("[stdout]"))).toEqual(["[stdout] hello 1", "[stdout] hello 2", "[stdout] hello 3"]);
  });

  it("an EventSource reconnecting with Last-Event-ID gets only the events after it", async () => {
    const key = await keyFor(await makeUser(), { name: "chat" });
    const client = createSandboxClient({ url: server.url, apiKey: key });
    const project = await client.projects.create.mutate({ name: "resume" });
    const { executionId } = await client.executions.run.mutate({
      projectId: project.id,
      kind: "command",
      command: "echo one; sleep 0.2; echo two; sleep 0.2; echo three",
    });
    const read = async (lastEventId?: string) => {
      const input = encodeURIComponent(JSON.stringify(superjson.serialize({ executionId })));
      const res = await fetch(`${server.url}/api/trpc/executions.output?input=${input}`, {
        headers: { authorization: `Bearer ${key}`, accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
      });
      const text = await res.text(); // the stream ends after the exit event
      return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
    };
    const all = await read();
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(await read(all[0])).toEqual(all.slice(1));
  });

  it("refuses a bad key with UNAUTHORIZED", async () => {
    await expect(createSandboxClient({ url: server.url, apiKey: "psk_00000000_nope" }).projects.list.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  it("scripts/example-chat-client.ts runs against the live server and prints the streamed output", async () => {
    const key = await keyFor(await makeUser(), { name: "chat" });
    const child = spawn("npx", ["tsx", "scripts/example-chat-client.ts"], {
      env: { ...process.env, SANDBOX_URL: server.url, SANDBOX_API_KEY: key },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(out).toContain("[stdout] hello 3");
    expect(out).toContain("[exit 0 success]");
    expect(code).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { openHubExecution } from "@/test/support/hub-execution";
import { startTrpcRouteServer } from "@/test/support/route-server";
import { createSandboxClient } from "@/lib/sandbox-client";

// The bad-input line of the terminal: a connection lost mid-stream shows "connecting" again and
// resumes without duplicate or missing output. Real HTTP server, real route handler, real
// EventSource, real database; the sockets are cut under the live streams.

let server: Awaited<ReturnType<typeof startTrpcRouteServer>>;
beforeAll(async () => {
  server = await startTrpcRouteServer();
});
afterAll(async () => {
  await server.close();
});

async function until(condition: () => boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("streams across a dropped connection", () => {
  it("executions.output resumes after the last event id: every chunk exactly once, in order", async () => {
    const owner = await makeUser();
    const { caller, key } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    const { id: projectId } = await caller.projects.create({ name: "reconnect" });
    const execution = await openHubExecution(projectId, owner.id);
    const client = createSandboxClient({ url: server.url, apiKey: key });

    const received: string[] = [];
    const states: string[] = [];
    let ended = false;
    const sub = client.executions.output.subscribe(
      { executionId: execution.id },
      {
        onData: ({ data }) => {
          if (data.type === "exit") ended = true;
          else received.push(data.data);
        },
        onConnectionStateChange: (s) => states.push(s.state),
        onComplete: () => (ended = true),
      },
    );
    const expected: string[] = [];
    const write = (line: string) => {
      expected.push(line);
      execution.write(line);
    };
    await until(() => states.includes("pending"), "the first connection");
    for (let i = 0; i < 20; i++) write(`before ${i}\n`);
    await until(() => received.length === 20, "the first 20 chunks");

    server.server.closeAllConnections();
    for (let i = 0; i < 20; i++) write(`while down ${i}\n`);
    await until(() => states.lastIndexOf("connecting") > states.indexOf("pending"), "the reconnecting state");
    await until(() => received.length === 40, "the chunks written while disconnected");
    for (let i = 0; i < 20; i++) write(`after ${i}\n`);

    // A second drop, this time while chunks are in flight.
    const burst = (async () => {
      for (let i = 0; i < 50; i++) {
        write(`burst ${i}\n`);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    server.server.closeAllConnections();
    await burst;
    await execution.finish();
    await until(() => ended, "the exit event", 20_000);
    sub.unsubscribe();
    expect(received).toEqual(expected);
    expect(states.filter((s) => s === "pending").length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("executions.feed resumes after the last announced execution: each new one exactly once", async () => {
    const owner = await makeUser();
    const { caller, key } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    const { id: projectId } = await caller.projects.create({ name: "feed reconnect" });
    const client = createSandboxClient({ url: server.url, apiKey: key });

    const announced: number[] = [];
    const states: string[] = [];
    const sub = client.executions.feed.subscribe(
      { projectId },
      { onData: ({ data }) => announced.push(data.id), onConnectionStateChange: (s) => states.push(s.state) },
    );
    await until(() => states.includes("pending"), "the first connection");
    const first = await openHubExecution(projectId, owner.id);
    await until(() => announced.length === 1, "the first announcement");
    server.server.closeAllConnections();
    const whileDown = [await openHubExecution(projectId, owner.id), await openHubExecution(projectId, owner.id)];
    await until(() => announced.length === 3, "the executions started while disconnected");
    const after = await openHubExecution(projectId, owner.id);
    await until(() => announced.length === 4, "one started after the reconnect");
    sub.unsubscribe();
    expect(announced).toEqual([first.id, ...whileDown.map((e) => e.id), after.id]);
    for (const e of [first, ...whileDown, after]) await e.finish();
  }, 60_000);
});

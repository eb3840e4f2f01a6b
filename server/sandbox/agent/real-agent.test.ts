// The client against the REAL Go agent, built from sandbox-images/agent and run as a child
// process speaking over its stdin/stdout exactly as in a container (no Docker: fast). Go is
// required: without it the build throws and these tests fail, they never skip.
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/sandbox-images/agent";
import { AgentConnection } from "./agent-connection";
import { checkedProcessEvents, checkWatchBatch, type CheckedProcessEvent } from "./agent-events";
import { encodeWorkspacePath } from "./agent-paths";
import { Stream, WriteRequestSchema, type WriteRequest } from "./gen/pantheon/agent/v1/agent_pb";
import { childProcessExec } from "@/test/support/agent-test-execs";

const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
let binary = "";
let workspace = "";
const connections: AgentConnection[] = [];

beforeAll(async () => {
  binary = await buildAgent(() => {});
}, 300_000);

afterEach(() => {
  for (const c of connections.splice(0)) c.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

afterAll(() => {
  for (const c of connections.splice(0)) c.close();
});

async function startAgent(): Promise<{ connection: AgentConnection; pid: number }> {
  // The sandbox user (1000) owns the workspace, as in the images; /tmp, not a root-only temp dir.
  workspace = mkdtempSync("/tmp/agent-client-ws-");
  chownSync(workspace, 1000, 1000);
  const child = childProcessExec([binary, "serve", "--stdio", "--workspace", workspace]);
  const connection = await AgentConnection.over(child.exec, `child-${child.pid}`, { log });
  connections.push(connection);
  return { connection, pid: child.pid };
}

async function run(connection: AgentConnection, script: string, id = `p${Math.random()}`): Promise<CheckedProcessEvent[]> {
  const events: CheckedProcessEvent[] = [];
  for await (const e of checkedProcessEvents(connection.process.start({ id, command: { case: "shell", value: script } }, { timeoutMs: 20_000 })))
    events.push(e);
  return events;
}

const stdoutOf = (events: CheckedProcessEvent[]) => Buffer.concat(events.flatMap((e) => (e.type === "output" && e.stream === Stream.STDOUT ? [e.data] : [])));

describe("AgentConnection over the real Go agent (child process)", () => {
  it("says Hello with the agent's version and pid", async () => {
    const { connection, pid } = await startAgent();
    expect(connection.hello).toMatchObject({ pid, uid: 0 });
    expect(connection.hello?.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("keeps output bytes exactly (NUL, invalid UTF-8) with seq 1, 2, 3… and an exit status", async () => {
    const { connection } = await startAgent();
    const events = await run(connection, "printf 'a\\000b\\377\\376c'; echo err >&2; exit 3");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe("started");
    expect(stdoutOf(events).toString("hex")).toBe(Buffer.from([0x61, 0, 0x62, 0xff, 0xfe, 0x63]).toString("hex"));
    const last = events.at(-1);
    expect(last?.type === "exited" && last.exited.exitCode).toBe(3);
  });

  it("reports the agent killed (-9) mid-stream within 1 s, and the stream fails with CONTAINER_LOST", async () => {
    const { connection, pid } = await startAgent();
    const stream = checkedProcessEvents(
      connection.process.start({ id: "loop", command: { case: "shell", value: "while :; do echo tick; sleep 0.01; done" } }, { timeoutMs: 20_000 }),
    );
    const iterator = stream[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    const failure = await (async () => {
      for (;;) if ((await iterator.next()).done) return "ended";
    })().catch((err: unknown) => err);
    const death = await connection.dead;
    expect(death.at - killedAt).toBeLessThan(1000);
    expect(failure).toMatchObject({ code: "CONTAINER_LOST" });
  });

  it("holds a chatty process back while the host does not read (flow control bounds host memory)", async () => {
    const { connection } = await startAgent();
    const controller = new AbortController();
    const stream = connection.process.start(
      { id: "chatty", command: { case: "shell", value: "head -c 1073741824 /dev/zero" } },
      { timeoutMs: 20_000, signal: controller.signal },
    );
    const iterator = checkedProcessEvents(stream)[Symbol.asyncIterator]();
    for (let i = 0; i < 4; i++) await iterator.next();
    global.gc?.();
    const before = process.memoryUsage();
    // The host stops reading for a while: the agent can only fill the windows, not our memory.
    await new Promise((r) => setTimeout(r, 1500));
    const after = process.memoryUsage();
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(48 * 1024 * 1024);
    await connection.process.signal({ id: "chatty", signal: 9, tree: true });
    controller.abort();
    await iterator.return?.(undefined);
  });

  it("writes a file and reads it back byte for byte", async () => {
    const { connection } = await startAgent();
    const data = Buffer.concat([Buffer.from([0, 0xff, 0x0a]), Buffer.alloc(600 * 1024, 7)]);
    async function* parts(): AsyncGenerator<WriteRequest> {
      yield create(WriteRequestSchema, { part: { case: "header", value: { path: encodeWorkspacePath("dir/f.bin"), mode: 0o644, makeParents: true } } });
      for (let off = 0; off < data.length; off += 100 * 1024)
        yield create(WriteRequestSchema, { part: { case: "data", value: data.subarray(off, off + 100 * 1024) } });
    }
    const written = await connection.files.write(parts());
    expect(Number(written.entry?.size)).toBe(data.length);
    const chunks: Uint8Array[] = [];
    for await (const r of connection.files.read({ path: encodeWorkspacePath("dir/f.bin") })) chunks.push(r.data);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it("pushes watch events for files a process writes and removes", async () => {
    const { connection } = await startAgent();
    const controller = new AbortController();
    const seen: string[] = [];
    let content = "";
    const watching = (async () => {
      let ready!: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const loop = (async () => {
        for await (const batch of connection.files.watch({ debounceMs: 20, inlineMaxBytes: 1024n }, { timeoutMs: 0, signal: controller.signal })) {
          const checked = checkWatchBatch(batch, 1024);
          if (checked.ready) ready();
          for (const change of checked.changes) {
            seen.push(`${change.kind}:${change.path}`);
            if (change.kind === "written" && change.path === "w.txt" && change.content) content = Buffer.from(change.content).toString();
          }
          if (seen.includes("removed:gone.txt")) return;
        }
      })();
      await isReady;
      // Wrapped: an async function returning a promise would wait for it.
      return { loop };
    })();
    const { loop } = await watching;
    await run(connection, "echo hello > w.txt; echo x > gone.txt; sleep 0.1; rm gone.txt");
    await Promise.race([loop, new Promise((_, reject) => setTimeout(() => reject(new Error(`watch saw only ${seen.join(", ")}`)), 4000))]);
    controller.abort();
    expect(seen).toContain("written:w.txt");
    expect(content).toBe("hello\n");
  });
});

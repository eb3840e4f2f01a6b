// The client against an in-process agent written with connect-node, over a real Unix socket
// pair: the transport, deadlines, death detection and the caps, without Docker or Go.
import * as http2 from "node:http2";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { AgentConnection } from "./agent-connection";
import { AgentCallError, toAgentCallError } from "./agent-errors";
import { AgentService, ExitedSchema, ProcessService, Stream, type ProcessEvent } from "./gen/pantheon/agent/v1/agent_pb";
import { socketPairExec, type SocketPairExec } from "@/test/support/agent-test-execs";

const log = pino({ level: "silent" });
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function routes(router: ConnectRouter) {
  router.service(AgentService, { hello: () => ({ version: "fake", pid: 1, uid: 0 }) });
  router.service(ProcessService, {
    async *start(req, ctx) {
      yield { seq: 1n, event: { case: "started", value: { pid: 42 } } };
      if (req.command.case === "shell" && req.command.value === "bytes") {
        yield { seq: 2n, event: { case: "output", value: { stream: Stream.STDOUT, data: new Uint8Array([0, 0xff, 0xfe, 0x0a, 0xc3]) } } };
        yield { seq: 3n, event: { case: "exited", value: create(ExitedSchema, { exitCode: 0 }) } };
        return;
      }
      // "forever": output until the call ends.
      let seq = 2n;
      while (!ctx.signal.aborted) {
        yield { seq: seq++, event: { case: "output", value: { stream: Stream.STDOUT, data: new Uint8Array(1024) } } };
        await sleep(5);
      }
    },
  });
}

async function fakeAgent(): Promise<{ pair: SocketPairExec; server: http2.Http2Server }> {
  const pair = await socketPairExec();
  const server = http2.createServer(connectNodeAdapter({ routes }));
  server.on("sessionError", () => {});
  server.emit("connection", pair.agentEnd);
  cleanups.push(() => {
    pair.cleanup();
    server.close();
  });
  return { pair, server };
}

async function connect(options: Partial<Parameters<typeof AgentConnection.over>[2]> = {}) {
  const agent = await fakeAgent();
  const connection = await AgentConnection.over(agent.pair.exec, "c0ffee", { log, ...options });
  cleanups.push(() => connection.close());
  return { ...agent, connection };
}

async function collect(events: AsyncIterable<ProcessEvent>): Promise<ProcessEvent[]> {
  const out: ProcessEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("AgentConnection over a fake agent", () => {
  it("says Hello, then streams events in order with the bytes of the output kept exactly", async () => {
    const { connection } = await connect();
    expect(connection.hello?.version).toBe("fake");
    const events = await collect(connection.process.start({ id: "p1", command: { case: "shell", value: "bytes" } }));
    expect(events.map((e) => Number(e.seq))).toEqual([1, 2, 3]);
    const output = events[1]?.event;
    expect(output?.case).toBe("output");
    expect(Buffer.from(output?.case === "output" ? output.value.data : []).toString("hex")).toBe("00fffe0ac3");
  });

  it("fails a stream in flight and reports the death within 1 s when the agent exits", async () => {
    const { connection, pair } = await connect();
    const events = connection.process.start({ id: "p2", command: { case: "shell", value: "forever" } });
    const iterator = events[Symbol.asyncIterator]();
    await iterator.next();
    const killedAt = Date.now();
    pair.exit(137);
    const failure = await (async () => {
      for (;;) await iterator.next();
    })().catch((err: unknown) => err);
    const death = await connection.dead;
    expect(death.at - killedAt).toBeLessThan(1000);
    expect(death.closed).toBe(false);
    expect(failure).toBeInstanceOf(AgentCallError);
    expect((failure as AgentCallError).code).toBe("CONTAINER_LOST");
    // A call after the death fails at once, with the same reason.
    await expect(connection.agent.hello({})).rejects.toMatchObject({ code: "CONTAINER_LOST" });
  });

  it("declares a silent agent dead within 1 s (no answer to PING)", async () => {
    const { connection, pair } = await connect();
    const stalledAt = Date.now();
    // The agent hangs: its pings go unanswered, yet nothing closes.
    pair.stall();
    const death = await connection.dead;
    expect(death.reason).toMatch(/ping/);
    expect(death.at - stalledAt).toBeLessThan(1000);
  });

  it("ends a stream at its deadline with TIMEOUT, and the connection lives on", async () => {
    const { connection } = await connect();
    const started = Date.now();
    const failure = await collect(connection.process.start({ id: "p3", command: { case: "shell", value: "forever" } }, { timeoutMs: 200 })).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: "TIMEOUT", rpcCode: "deadline_exceeded" });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(connection.agent.hello({})).resolves.toMatchObject({ version: "fake" });
    expect(connection.isDead).toBe(false);
  });

  it("refuses calls past the concurrent-stream cap at once, without queueing", async () => {
    const { connection } = await connect({ maxConcurrentStreams: 2 });
    const controller = new AbortController();
    const open = [1, 2].map((i) =>
      collect(connection.process.start({ id: `s${i}`, command: { case: "shell", value: "forever" } }, { signal: controller.signal })).catch(() => {}),
    );
    await sleep(100);
    await expect(connection.agent.hello({})).rejects.toMatchObject({ code: "INTERNAL", rpcCode: "resource_exhausted" });
    controller.abort();
    await Promise.all(open);
    await sleep(50);
    await expect(connection.agent.hello({})).resolves.toBeTruthy();
  });

  it("a stream the caller leaves early frees its slot (no leak toward the cap)", async () => {
    const { connection } = await connect({ maxConcurrentStreams: 1 });
    for (let i = 0; i < 3; i++) {
      for await (const _ of connection.process.start({ id: `early${i}`, command: { case: "shell", value: "forever" } })) break;
      await sleep(20);
    }
    await expect(connection.agent.hello({})).resolves.toMatchObject({ version: "fake" });
  });

  it("close() fails calls in flight with a clear error", async () => {
    const { connection } = await connect();
    const pending = collect(connection.process.start({ id: "p4", command: { case: "shell", value: "forever" } }));
    await sleep(50);
    connection.close("lease released");
    expect((await connection.dead).closed).toBe(true);
    await expect(pending).rejects.toMatchObject({ code: "CONTAINER_LOST", message: expect.stringContaining("lease released") as string });
  });

  it("says why an agent that exits at once did not start (its last error line, cleaned)", async () => {
    const pair = await socketPairExec();
    cleanups.push(() => pair.cleanup());
    pair.agentStderr.write(`${JSON.stringify({ level: "ERROR", msg: "agent stopped", err: "PR_SET_CHILD_SUBREAPER: invalid argument\u001b[2J" })}\n`);
    setTimeout(() => pair.exit(1), 20);
    await expect(AgentConnection.over(pair.exec, "c0ffee", { log })).rejects.toMatchObject({
      code: "CONTAINER_LOST",
      message: expect.stringMatching(/did not start: exited with code 1: agent stopped: PR_SET_CHILD_SUBREAPER: invalid argument \[2J$/) as string,
    });
  });

  it("maps an agent's refusal to BAD_REQUEST with its RPC code, its text cleaned and capped", () => {
    const err = toAgentCallError(new ConnectError(`no such file\n\u001b[31m${"x".repeat(500)}`, Code.NotFound), "agent FileService.Read", null);
    expect(err).toMatchObject({ code: "BAD_REQUEST", rpcCode: "not_found" });
    expect(err.message).not.toMatch(/[\n\u001b]/);
    expect(err.message.length).toBeLessThan(260);
  });
});

// The client against the agent in a real sandbox container (the real spec: hardened, no network,
// limits), started as the engine starts it: one attached `docker exec` as uid 0. Once per runtime.
import { create } from "@bufbuild/protobuf";
import Docker from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRegistry, imageTag } from "@/sandbox-images/image-inputs";
import { parseEngineConfig } from "../config";
import { createDockerDriver } from "../docker-engine";
import { MiB, testRuntime } from "@/test/support/docker-test-engine";
import { AGENT_BINARY } from "../sandbox-exec";
import { AgentConnection } from "./agent-connection";
import { checkedProcessEvents, checkWatchBatch, type CheckedProcessEvent } from "./agent-events";
import { encodeWorkspacePath } from "./agent-paths";
import { Stream, WriteRequestSchema, type WriteRequest } from "./gen/pantheon/agent/v1/agent_pb";

const runtime = testRuntime();
const docker = new Docker();
const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
const TEST_LABEL = "org.pantheon-sandbox.test";
// The engine's ping settings (engine.ts AGENT_PING_*).
const PING_INTERVAL_MS = 1_000;
const PING_TIMEOUT_MS = 5_000;
const runId = `agent-client-${process.pid}-${Date.now()}`;
const image = imageTag(defaultRegistry(), "node");
// The engine's own driver and container spec (hardened, no network, limits).
const { driver } = createDockerDriver(parseEngineConfig({ runtime, limits: { memoryBytes: 256 * MiB } }), docker, log);
const containers: string[] = [];

async function freshContainer(): Promise<string> {
  const id = await driver.create({ image, labels: { [TEST_LABEL]: runId } });
  containers.push(id);
  await driver.start(id);
  return id;
}

async function connect(id: string): Promise<AgentConnection> {
  // The engine's ping settings (engine.ts AGENT_PING_TIMEOUT_MS): the client's 500 ms default
  // declared agents dead on a starved machine (load 30+ on 2 cores), even during Hello. Deaths by
  // exit or a broken stream are known at once either way.
  return AgentConnection.start(driver, id, { log, helloTimeoutMs: 30_000, pingIntervalMs: PING_INTERVAL_MS, pingTimeoutMs: PING_TIMEOUT_MS });
}

let shared: { id: string; connection: AgentConnection };

beforeAll(async () => {
  // The image must carry the agent (agent-go's image build): say so plainly rather than time out.
  const probe = await docker.getImage(image).inspect();
  expect(probe.Id).toBeTruthy();
  const id = await freshContainer();
  const ls = await driver.exec(id, { cmd: ["test", "-x", AGENT_BINARY], user: "0" });
  if (ls.exitCode !== 0) throw new Error(`${image} has no ${AGENT_BINARY}: rebuild the images (npm run images) with the agent`);
  shared = { id, connection: await connect(id) };
});

afterAll(async () => {
  shared?.connection.close();
  await Promise.all(containers.map((id) => driver.destroy(id).catch(() => undefined)));
});

async function run(connection: AgentConnection, script: string, onEvent?: (e: CheckedProcessEvent) => void): Promise<CheckedProcessEvent[]> {
  const kept: CheckedProcessEvent[] = [];
  const id = `p-${Date.now()}-${Math.random()}`;
  // Under the 1 GB test's own 300 s: under runsc on a starved machine that stream took over 120 s.
  for await (const e of checkedProcessEvents(connection.process.start({ id, command: { case: "shell", value: script } }, { timeoutMs: 280_000 }))) {
    onEvent?.(e);
    // With a callback, only the exit is kept (1 GB of output must not be).
    if (!onEvent || e.type === "exited") kept.push(e);
  }
  return kept;
}

describe(`AgentConnection in a ${runtime} container`, () => {
  it("says Hello as uid 0 inside the container", () => {
    expect(shared.connection.hello).toMatchObject({ uid: 0 });
    expect(shared.connection.hello?.pid).toBeGreaterThan(0);
  });

  it("keeps output bytes exactly (NUL, invalid UTF-8), events in seq order, the exit status", async () => {
    const events = await run(shared.connection, "printf 'a\\000b\\377\\376c'; exit 7");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const stdout = Buffer.concat(events.flatMap((e) => (e.type === "output" && e.stream === Stream.STDOUT ? [e.data] : [])));
    expect(stdout.toString("hex")).toBe("610062fffe63");
    const last = events.at(-1);
    expect(last?.type === "exited" && last.exited.exitCode).toBe(7);
  });

  it("streams 1 GB of output with bounded host memory", async () => {
    const GiB = 1024 * MiB;
    let bytes = 0;
    let lastSeq = 0;
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const started = Date.now();
    const events = await run(shared.connection, `head -c ${GiB} /dev/zero`, (e) => {
      if (e.type === "output") bytes += e.data.length;
      lastSeq = e.seq;
      if ((lastSeq & 255) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    });
    const seconds = (Date.now() - started) / 1000;
    expect(bytes).toBe(GiB);
    expect(events.at(-1)?.type).toBe("exited");
    // The windows (1 MiB per stream, 16 MiB per connection) bound what can pile up; garbage
    // collection timing adds the rest.
    expect(peak - baseline).toBeLessThan(256 * MiB);
    log.info({ seconds, mbPerSecond: Math.round(1024 / seconds), peakGrowthMiB: Math.round((peak - baseline) / MiB) }, "1 GB streamed");
  }, 300_000);

  it("writes a file and reads it back byte for byte", async () => {
    const data = Buffer.concat([Buffer.from([0, 0xff, 0x0a]), Buffer.alloc(700 * 1024, 9)]);
    async function* parts(): AsyncGenerator<WriteRequest> {
      yield create(WriteRequestSchema, { part: { case: "header", value: { path: encodeWorkspacePath("d/round.bin"), mode: 0o644, makeParents: true } } });
      for (let off = 0; off < data.length; off += 128 * 1024)
        yield create(WriteRequestSchema, { part: { case: "data", value: data.subarray(off, off + 128 * 1024) } });
    }
    await shared.connection.files.write(parts());
    const chunks: Uint8Array[] = [];
    for await (const r of shared.connection.files.read({ path: encodeWorkspacePath("d/round.bin") })) chunks.push(r.data);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    // Written as the sandbox user, visible to it.
    const events = await run(shared.connection, "stat -c '%u %s' d/round.bin 2>/dev/null || perl -e '@s = stat(\"d/round.bin\"); print \"$s[4] $s[7]\"'");
    const out = Buffer.concat(events.flatMap((e) => (e.type === "output" ? [e.data] : []))).toString();
    expect(out.trim()).toBe(`1000 ${data.length}`);
  });

  it("pushes watch events for a file a process writes", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const loop = (async () => {
      for await (const batch of shared.connection.files.watch({ debounceMs: 20, inlineMaxBytes: 1024n }, { timeoutMs: 0, signal: controller.signal })) {
        const checked = checkWatchBatch(batch, 1024);
        if (checked.ready) ready();
        for (const c of checked.changes)
          seen.push(`${c.kind}:${c.path}${c.kind === "written" && c.content ? `=${Buffer.from(c.content).toString().trim()}` : ""}`);
        if (seen.includes("written:watched.txt=hi")) return;
      }
    })();
    await isReady;
    await run(shared.connection, "echo hi > watched.txt");
    await Promise.race([loop, new Promise((_, reject) => setTimeout(() => reject(new Error(`watch saw only ${seen.join(", ")}`)), 10_000))]);
    controller.abort();
  });

  it("reports the agent killed (kill -9 from a second exec as root) mid-stream within 1 s; the stream fails", async () => {
    const id = await freshContainer();
    const connection = await connect(id);
    const stream = checkedProcessEvents(
      connection.process.start({ id: "loop", command: { case: "shell", value: "while :; do echo tick; sleep 0.01; done" } }, { timeoutMs: 60_000 }),
    );
    const iterator = stream[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    const failure = (async () => {
      for (;;) if ((await iterator.next()).done) return "ended";
    })().catch((err: unknown) => err);
    await driver.exec(id, { cmd: ["kill", "-9", String(connection.hello?.pid)], user: "0" });
    const killedAt = Date.now();
    const death = await connection.dead;
    expect(death.at - killedAt).toBeLessThan(1000);
    expect(await failure).toMatchObject({ code: "CONTAINER_LOST" });
  });

  it("reports the container killed mid-stream within 1 s; the stream fails", async () => {
    const id = await freshContainer();
    const connection = await connect(id);
    const stream = checkedProcessEvents(
      connection.process.start({ id: "loop", command: { case: "shell", value: "while :; do echo tick; sleep 0.01; done" } }, { timeoutMs: 60_000 }),
    );
    const iterator = stream[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    const failure = (async () => {
      for (;;) if ((await iterator.next()).done) return "ended";
    })().catch((err: unknown) => err);
    // Counted from when the runtime says the container is dead (the kill itself takes it a while).
    // Under runc the exec's stream closes at once; under runsc it can stay open for seconds after
    // the kill, and the missed ping is what tells (the pool hears the Docker event sooner and
    // closes the connection itself: pool.docker.test.ts). Either way, bounded by the liveness check.
    await docker.getContainer(id).kill();
    const killedAt = Date.now();
    const death = await connection.dead;
    expect(death.at - killedAt).toBeLessThan(runtime === "runsc" ? PING_INTERVAL_MS + PING_TIMEOUT_MS + 1000 : 1000);
    expect(await failure).toMatchObject({ code: "CONTAINER_LOST" });
  });
});

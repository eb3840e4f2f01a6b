// The agent's second way to the engine (agent-socket.ts) in real containers, with the engine's own
// spec: under runc calls go over a unix socket the agent dials in a read-only bind of the engine's
// 0700 directory, which sandbox code (uid 1000) cannot reach; under runsc (the gofer refuses host
// sockets) there is no bind and the exec's stream carries everything.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { defaultRegistry, imageTag } from "@/sandbox-images/image-inputs";
import { agentSocketBase, parseEngineConfig } from "../config";
import { createDockerDriver } from "../docker-engine";
import { MiB, testRuntime } from "@/test/support/docker-test-engine";
import { AGENT_COMMAND, AgentConnection } from "./agent-connection";
import { AGENT_SOCKET_IN_CONTAINER, agentSocketHostDir, AgentSocketListener } from "./agent-socket";
import { checkedProcessEvents } from "./agent-events";

const runtime = testRuntime();
const docker = new Docker();
const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
const TEST_LABEL = "org.pantheon-sandbox.test";
const runId = `agent-socket-${process.pid}-${Date.now()}`;
const image = imageTag(defaultRegistry(), "node");
const base = mkdtempSync(join(tmpdir(), "agent-socket-test-"));
chmodSync(base, 0o700);
const config = parseEngineConfig({ runtime, instanceId: `sock-${process.pid}`, agentSocketDir: base, limits: { memoryBytes: 256 * MiB } });
const { driver } = createDockerDriver(config, docker, log);
const containers: string[] = [];
const connections: AgentConnection[] = [];
let counter = 0;

/** A container made as the pool makes one (named: its socket directory follows from the name). */
async function pooledContainer(): Promise<{ id: string; socketDir: string | null }> {
  const name = `${runId}-${++counter}`;
  const id = await driver.create({ image, labels: { [TEST_LABEL]: runId }, name });
  containers.push(id);
  await driver.start(id);
  const socketBase = agentSocketBase(config);
  return { id, socketDir: socketBase === null ? null : agentSocketHostDir(socketBase, config.instanceId, name) };
}

async function connect(id: string, socketDir: string | null): Promise<AgentConnection> {
  const connection = await AgentConnection.start(driver, id, { log, socketDir, helloTimeoutMs: 30_000, pingIntervalMs: 1_000, pingTimeoutMs: 5_000 });
  connections.push(connection);
  return connection;
}

async function echo(connection: AgentConnection, text: string): Promise<string> {
  let out = "";
  const id = `p-${Date.now()}-${Math.random()}`;
  for await (const e of checkedProcessEvents(
    connection.process.start({ id, command: { case: "argv", value: { args: ["echo", text] } } }, { timeoutMs: 60_000 }),
  )) {
    if (e.type === "output") out += Buffer.from(e.data).toString();
  }
  return out;
}

/** What sandbox code sees when it tries the engine's socket: node's error code, or "CONNECTED". */
async function connectAsSandboxUser(id: string): Promise<string> {
  const script = `require("net").connect(${JSON.stringify(AGENT_SOCKET_IN_CONTAINER)}).on("connect", () => { console.log("CONNECTED"); process.exit(0) }).on("error", (e) => console.log(e.code))`;
  let out = "";
  await driver.exec(id, { cmd: ["node", "-e", script], user: "1000:1000", onOutput: (_stream, data) => (out += data.toString()) });
  return out.trim();
}

afterAll(async () => {
  for (const c of connections) c.close();
  await Promise.all(containers.map((id) => driver.destroy(id).catch(() => undefined)));
  rmSync(base, { recursive: true, force: true });
});

describe(`the engine's agent socket under ${runtime}`, () => {
  it("carries the calls under runc (stdio under runsc), and its directory is gone once the agent is connected", async () => {
    const { id, socketDir } = await pooledContainer();
    if (runtime === "runsc") expect(socketDir).toBeNull();
    else expect(socketDir).not.toBeNull();
    const connection = await connect(id, socketDir);
    expect(connection.transport).toBe(runtime === "runc" ? "socket" : "stdio");
    expect(await echo(connection, "over the socket")).toBe("over the socket\n");
    if (socketDir) expect(existsSync(socketDir)).toBe(false);
  });

  it.runIf(runtime === "runc")("sandbox code (uid 1000) can neither list the directory nor connect, while the agent can", async () => {
    const { id, socketDir } = await pooledContainer();
    const listener = await AgentSocketListener.open(socketDir ?? "");
    try {
      expect(await connectAsSandboxUser(id)).toBe("EACCES");
      const ls = await driver.exec(id, { cmd: ["ls", "/run/pantheon-agent"], user: "1000:1000" });
      expect(ls.exitCode).not.toBe(0);
      // The agent (uid 0, no CAP_DAC_OVERRIDE) reaches it with the directory owner's file-system ids.
      const exec = await driver.attach(id, { cmd: [...AGENT_COMMAND, "--dial", `unix:${AGENT_SOCKET_IN_CONTAINER}`], user: "0" });
      const socket = await listener.connection(30_000);
      expect(socket).not.toBeNull();
      socket?.destroy();
      exec.stdin.end();
      exec.detach();
    } finally {
      listener.close();
    }
  });

  it.runIf(runtime === "runc")("knows at once when the agent dies while calls go over the socket", async () => {
    const { id, socketDir } = await pooledContainer();
    const connection = await connect(id, socketDir);
    expect(connection.transport).toBe("socket");
    const pid = connection.hello?.pid ?? 0;
    await driver.exec(id, { cmd: ["kill", "-9", String(pid)], user: "0" });
    const death = await connection.dead;
    expect(death.closed).toBe(false);
    await expect(connection.agent.hello({})).rejects.toMatchObject({ code: "CONTAINER_LOST" });
  });

  it("stays on the exec's stream when the agent cannot reach the socket (a container without the mount)", async () => {
    const id = await driver.create({ image, labels: { [TEST_LABEL]: runId } });
    containers.push(id);
    await driver.start(id);
    const orphanDir = join(base, "not-mounted");
    rmSync(orphanDir, { recursive: true, force: true });
    mkdirSync(orphanDir, { mode: 0o700 });
    const connection = await connect(id, orphanDir);
    expect(connection.transport).toBe("stdio");
    expect(await echo(connection, "over stdio")).toBe("over stdio\n");
    expect(existsSync(orphanDir)).toBe(false);
  });
});

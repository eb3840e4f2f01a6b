// The v5 exec stream end to end: our client ⇄ WebSocket ⇄ the fake API server ⇄ a real process
// (a shell, then the real Go agent run as uid 1000 as in a pod, spoken to by the agent client).
import { rmSync } from "node:fs";
import pino from "pino";
import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/sandbox-images/agent";
import { FAKE_TOKEN, FakeKubeApiServer, type FakeExecRequest } from "@/test/support/fake-kube-apiserver";
import { agentExec, podWorkspace, spawnedExec } from "@/test/support/fake-kube-execs";
import { AGENT_COMMAND, AgentConnection } from "../agent/agent-connection";
import { checkedProcessEvents } from "../agent/agent-events";
import { Stream } from "../agent/gen/pantheon/agent/v1/agent_pb";
import { buildSandboxPod } from "./pod-spec";
import { ExecRefusedError, exitCodeOf, openExecStream } from "./exec-stream";
import { DEFAULT_LIMITS } from "@/security/policy";

const NS = "sandboxes";
const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
let api: FakeKubeApiServer;
let binary = "";
const workspaces: string[] = [];
const execs: FakeExecRequest[] = [];

beforeAll(async () => {
  binary = await buildAgent(() => {});
  api = await FakeKubeApiServer.start({
    ports: [3430, 3431, 3432, 3433, 3434, 3435, 3436, 3437, 3438, 3439],
    onExec: (request) => {
      execs.push(request);
      if (request.command[0] === AGENT_COMMAND[0]) {
        const ws = podWorkspace();
        workspaces.push(ws);
        return agentExec(binary, ws, request.command);
      }
      return spawnedExec(request.command);
    },
  });
  const pod = buildSandboxPod({
    name: "p1",
    namespace: NS,
    image: "pantheon-sandbox/node:latest",
    limits: { ...DEFAULT_LIMITS },
    labels: {},
    pool: "warm",
    seccomp: { type: "RuntimeDefault" },
    imagePullPolicy: "IfNotPresent",
  });
  await api
    .kubeConfig()
    .makeApiClient((await import("@kubernetes/client-node")).CoreV1Api)
    .createNamespacedPod({ namespace: NS, body: pod });
  await waitFor(() => api.pods.get(`${NS}/p1`)?.status?.phase === "Running");
}, 300_000);

afterEach(() => {
  for (const w of workspaces.splice(0)) rmSync(w, { recursive: true, force: true });
});
afterAll(async () => {
  await api?.close();
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

const target = (command: string[], tty = false) => ({ namespace: NS, pod: "p1", container: "sandbox", command, tty });

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("exec over v5.channel.k8s.io", () => {
  it("carries stdin, half-closes it (channel 255), and returns stdout, stderr and the exit code", async () => {
    const exec = await openExecStream(api.kubeConfig(), target(["sh", "-c", "cat; echo oops >&2; exit 3"]));
    const out = collect(exec.stdout);
    const err = collect(exec.stderr);
    exec.stdin.write("hello ");
    exec.stdin.end("world");
    expect(await out).toBe("hello world");
    expect(await err).toBe("oops\n");
    expect(await exec.exited).toEqual({ exitCode: 3 });
    const sent = api.requests.at(-1)!;
    expect(sent).toMatchObject({ method: "GET", status: 101, authorization: `Bearer ${FAKE_TOKEN}`, subprotocols: ["v5.channel.k8s.io"] });
    expect(sent.query).toMatchObject({ command: ["sh", "-c", "cat; echo oops >&2; exit 3"], container: ["sandbox"], stdin: ["true"], tty: ["false"] });
  });

  it("moves a large binary stream intact both ways (backpressure, no loss)", async () => {
    const exec = await openExecStream(api.kubeConfig(), target(["cat"]));
    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 13)) & 0xff;
    const out = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of exec.stdout) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    })();
    exec.stdin.end(payload);
    expect((await out).equals(payload)).toBe(true);
    expect(await exec.exited).toEqual({ exitCode: 0 });
  });

  it("is refused clearly when the pod does not exist, and when only older subprotocols are offered", async () => {
    await expect(openExecStream(api.kubeConfig(), { ...target(["true"]), pod: "nope" })).rejects.toThrow(/HTTP 404/);
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}/api/v1/namespaces/${NS}/pods/p1/exec?command=true&stdin=true`, ["v4.channel.k8s.io"], {
      headers: { authorization: `Bearer ${FAKE_TOKEN}` },
    });
    const code = await new Promise<number | undefined>((resolve) => ws.once("unexpected-response", (_q, res) => resolve(res.statusCode)));
    expect(code).toBe(400);
    const noToken = new ExecRefusedError("x", 401);
    expect(noToken.statusCode).toBe(401);
  });

  it("reads exit codes from v5 Status messages", () => {
    expect(exitCodeOf({ status: "Success" })).toBe(0);
    expect(exitCodeOf({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "42" }] } })).toBe(42);
    expect(exitCodeOf({ status: "Failure", reason: "InternalError", message: "container not found" })).toBeNull();
  });

  it("runs the agent client's HTTP/2 session over the exec stream to the real Go agent (uid 1000, as in a pod)", async () => {
    const exec = await openExecStream(api.kubeConfig(), target(AGENT_COMMAND));
    const connection = await AgentConnection.over(exec, "p1", { log });
    try {
      expect(connection.hello).toMatchObject({ uid: 1000 });
      const events = [];
      for await (const e of checkedProcessEvents(
        connection.process.start({ id: "k1", command: { case: "shell", value: "id -u; printf 'x%.0s' $(seq 1 70000)" } }, { timeoutMs: 20_000 }),
      ))
        events.push(e);
      const stdout = Buffer.concat(events.flatMap((e) => (e.type === "output" && e.stream === Stream.STDOUT ? [e.data] : []))).toString();
      expect(stdout.startsWith("1000\n")).toBe(true);
      expect(stdout.length).toBe(5 + 70000);
      expect(events.at(-1)).toMatchObject({ type: "exited", exited: { exitCode: 0 } });
      expect(execs.at(-1)!.command).toEqual(AGENT_COMMAND);
    } finally {
      connection.close();
    }
  });
});

// pantheon-agent in both images, in a container made by the engine's spec, started as the engine
// starts it: `docker exec --user 0 -i … pantheon-agent serve --stdio`, h2c with prior knowledge on
// that exec's stdin/stdout. The TypeScript client is not this test's subject: it speaks raw Connect
// (unary JSON, and one server stream with Connect's envelopes) over Node's http2 client.
// Once per runtime (vitest projects docker-runc, docker-runsc).
import { spawn } from "node:child_process";
import http2 from "node:http2";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Duplex, PassThrough } from "node:stream";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goTestResults, type GoTestResult } from "../../scripts/go-test-json.mjs";
import { resolveLimits } from "../../security/policy";
import { loadSeccompProfileText } from "../../security/profiles";
import { buildContainerSpec, type SandboxRuntime } from "../../server/sandbox/container-spec";
import { AGENT_PATH } from "../agent";
import { ensureImages } from "../ensure-images";
import { defaultRegistry, IMAGE_NAMES, imageTag, type ImageName } from "../image-inputs";

const runtime = (process.env.SANDBOX_RUNTIME ?? "runc") as SandboxRuntime;
const docker = new Docker();
const TEST_LABEL = "org.pantheon-sandbox.test";
const runId = `agent-${process.pid}-${Date.now()}`;
const MiB = 1024 * 1024;
/** The agent's Go module: this file's folder. */
const AGENT_MODULE = dirname(fileURLToPath(import.meta.url));

interface Agent {
  session: http2.ClientHttp2Session;
  stderr: () => string;
  close: () => void;
}

const containers = new Map<ImageName, Docker.Container>();
const agents = new Map<ImageName, Agent>();

async function startAgent(container: Docker.Container): Promise<Agent> {
  const exec = await container.exec({
    Cmd: [AGENT_PATH, "serve", "--stdio"],
    User: "0:0",
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const err: Buffer[] = [];
  stderr.on("data", (b: Buffer) => err.push(b));
  container.modem.demuxStream(stream, stdout, stderr);
  const pipe = Duplex.from({ readable: stdout, writable: stream });
  const session = http2.connect("http://agent", { createConnection: () => pipe });
  session.on("error", () => undefined);
  return { session, stderr: () => Buffer.concat(err).toString("utf8"), close: () => (session.destroy(), stream.destroy()) };
}

function request(agent: Agent, path: string, contentType: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = agent.session.request({ ":method": "POST", ":path": path, "content-type": contentType });
    const chunks: Buffer[] = [];
    let status = 0;
    const timer = setTimeout(() => (req.close(), reject(new Error(`${path} timed out; agent stderr: ${agent.stderr()}`))), 20_000);
    req.on("response", (h) => (status = Number(h[":status"])));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => (clearTimeout(timer), resolve({ status, body: Buffer.concat(chunks) })));
    req.on("error", (e: Error) => (clearTimeout(timer), reject(e)));
    req.end(body);
  });
}

/** Connect unary call with the JSON codec. */
async function unary<T>(agent: Agent, method: string, msg: object): Promise<T> {
  const res = await request(agent, `/pantheon.agent.v1.${method}`, "application/json", Buffer.from(JSON.stringify(msg)));
  expect(res.status, res.body.toString()).toBe(200);
  return JSON.parse(res.body.toString()) as T;
}

interface ProcessEvent {
  seq: string;
  started?: { pid: number };
  output?: { stream?: string; data?: string };
  exited?: { exitCode?: number; signal?: number };
}

/** ProcessService.Start (server stream, Connect envelopes: flags u8, length u32be, JSON). */
async function runProcess(
  agent: Agent,
  id: string,
  shell: string,
  pty?: { cols: number; rows: number },
): Promise<{ stdout: string; exited: ProcessEvent["exited"] }> {
  const json = Buffer.from(JSON.stringify({ id, shell, ...(pty ? { pty } : {}) }));
  const head = Buffer.alloc(5);
  head.writeUInt32BE(json.length, 1);
  const res = await request(agent, "/pantheon.agent.v1.ProcessService/Start", "application/connect+json", Buffer.concat([head, json]));
  expect(res.status).toBe(200);
  let stdout = "";
  let exited: ProcessEvent["exited"];
  for (let off = 0; off < res.body.length;) {
    const flags = res.body[off]!;
    const len = res.body.readUInt32BE(off + 1);
    const payload = JSON.parse(res.body.subarray(off + 5, off + 5 + len).toString()) as ProcessEvent & { error?: unknown };
    off += 5 + len;
    if (flags & 2) {
      expect(payload.error).toBeUndefined();
      continue;
    }
    if (payload.output?.data && payload.output.stream !== "STREAM_STDERR") stdout += Buffer.from(payload.output.data, "base64").toString("utf8");
    if (payload.exited) exited = payload.exited;
  }
  return { stdout, exited };
}

/** A started container of the image, made by the engine's spec; removed after the file's tests. */
async function sandboxContainer(name: ImageName): Promise<Docker.Container> {
  const spec = buildContainerSpec({
    image: imageTag(defaultRegistry(), name),
    runtime,
    limits: resolveLimits({ workspaceBytes: 8 * MiB, workspaceInodes: 512, pids: 64, memoryBytes: 256 * MiB }),
    labels: { [TEST_LABEL]: runId },
    seccompProfile: loadSeccompProfileText(),
    env: {},
  });
  const container = await docker.createContainer(spec);
  created.push(container);
  await container.start();
  return container;
}
const created: Docker.Container[] = [];

beforeAll(async () => {
  await ensureImages({ log: () => undefined });
  for (const name of IMAGE_NAMES) {
    const container = await sandboxContainer(name);
    containers.set(name, container);
    agents.set(name, await startAgent(container));
  }
});

afterAll(async () => {
  for (const a of agents.values()) a.close();
  await Promise.all(created.map((c) => c.remove({ force: true }).catch(() => undefined)));
});

describe.each(IMAGE_NAMES)(`pantheon-agent in the %s image (${runtime})`, (name) => {
  it("answers Hello as uid 0 over the exec's stdin/stdout", async () => {
    const hello = await unary<{ version: string; pid: number; uid?: number }>(agents.get(name)!, "AgentService/Hello", {});
    expect(hello.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(hello.pid).toBeGreaterThan(1);
    expect(hello.uid ?? 0).toBe(0); // proto3 JSON leaves a zero out
  });

  it("runs sandbox code as uid 1000 without any capability", async () => {
    const r = await runProcess(agents.get(name)!, "ident", "id -u; id -g; grep -E '^Cap(Eff|Prm|Bnd|Amb|Inh)' /proc/self/status");
    expect(r.exited?.exitCode ?? 0).toBe(0);
    expect(r.stdout).toMatch(/^1000\n1000\n/);
    for (const set of ["CapEff", "CapPrm", "CapBnd", "CapInh"]) expect(r.stdout).toContain(`${set}:\t0000000000000000`);
  });

  it("survives `kill -9 -1` and `kill 1` from sandbox code", async () => {
    const agent = agents.get(name)!;
    const r = await runProcess(agent, "killer", "sleep 1000 & kill 1; echo kill1=$?; kill -9 -1; echo killall=$?");
    expect(r.stdout).toContain("kill1=1"); // init is root: EPERM
    expect(r.stdout).toContain("killall=0"); // the sleep died
    const hello = await unary<{ pid: number }>(agent, "AgentService/Hello", {});
    expect(hello.pid).toBeGreaterThan(1);
    const after = await runProcess(agent, "after", "echo alive");
    expect(after.stdout).toBe("alive\n");
  });

  // gVisor before 2024-02 blocked a zero-length terminal write forever (google/gvisor#9955), and
  // npm makes one at exit: the agent's filter (emptywrite.go) answers it. Under runc, Linux does.
  it("lets a terminal program's empty write return (npm --version ends in a terminal)", async () => {
    const shell = [
      `perl -e 'syswrite(STDOUT, "", 0) // die "syswrite: $!"; print "perl-after\n"'; echo "perl=$?"`,
      `if command -v npm >/dev/null; then npm --version; echo "npm=$?"; fi`,
      "echo done",
    ].join("\n");
    const r = await runProcess(agents.get(name)!, "empty-write", shell, { cols: 80, rows: 24 });
    const out = r.stdout.replaceAll("\r\n", "\n");
    expect(out).toContain("perl-after\nperl=0\n");
    if (name === "node") expect(out).toContain("npm=0\n");
    expect(out).toContain("done\n");
    expect(r.exited?.exitCode ?? 0).toBe(0);
  });

  // The agent's own Go tests that need a real container (TestDocker*: identity, the children's
  // process limit, kill -9 -1 and kill 1, fork and memory bombs, write tracking and the watch, the
  // empty terminal write, the tree kill): the agent step skips them on the host, so they run here,
  // each against a fresh container of this image and runtime (the bombs must not touch the one
  // above). Under gVisor a memory bomb ends the whole sandbox, so that one test says so and skips.
  it("passes the agent's Go tests against a real container", async () => {
    const container = await sandboxContainer(name);
    const results = await goDockerTests(container.id);
    const by = (action: string) => results.filter((r) => r.action === action).map((r) => r.test);
    expect(by("fail"), results.map((r) => r.output).join("")).toEqual([]);
    const skipped = runtime === "runsc" ? ["TestDockerMemoryBombDiesNotTheAgent"] : [];
    expect(by("skip")).toEqual(skipped);
    expect(by("pass").sort()).toEqual(GO_DOCKER_TESTS.filter((t) => !skipped.includes(t)).sort());
  }, 240_000);
});

/** Every Go test that speaks to PANTHEON_AGENT_CONTAINER: a new one must be listed here to count. */
const GO_DOCKER_TESTS = [
  "TestDockerIdentityAndPrivileges",
  "TestDockerSandboxProcessLimit",
  "TestDockerKillAllAndKillInitLeaveTheAgent",
  "TestDockerForkBombIsKilledAndTheAgentSurvives",
  "TestDockerMemoryBombDiesNotTheAgent",
  "TestDockerTrackWritesAndWatch",
  "TestDockerTerminalEmptyWriteReturns",
  "TestDockerTreeKillSparesAProcessStartedMeanwhile",
];

/** `go test -json -run ^TestDocker` in the agent's module against the container; one result per test. */
function goDockerTests(containerId: string): Promise<GoTestResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", ["test", "-count=1", "-json", "-run", "^TestDocker", "./internal/agent"], {
      cwd: AGENT_MODULE,
      // CGO_ENABLED=0 as the agent step builds it: the test binary is then already in Go's cache.
      env: { ...process.env, CGO_ENABLED: "0", PANTHEON_AGENT_CONTAINER: containerId },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", () => {
      const results = goTestResults(Buffer.concat(out).toString("utf8")).results.filter((r) => r.test !== undefined);
      if (results.length === 0) reject(new Error(`go test ran no test: ${Buffer.concat(err).toString("utf8")}${Buffer.concat(out).toString("utf8")}`));
      else resolve(results);
    });
  });
}

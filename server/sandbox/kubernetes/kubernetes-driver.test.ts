// The Kubernetes driver against the in-process fake API server (test/support/fake-kube-apiserver.ts):
// every pod and policy it sends is checked against the official OpenAPI schema there, exec goes
// over v5.channel.k8s.io to the real Go agent run as uid 1000. No cluster, no Docker.
import { CoreV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/sandbox-images/agent";
import { DEFAULT_LIMITS } from "@/security/policy";
import { FakeKubeApiServer } from "@/test/support/fake-kube-apiserver";
import { FakePodProcesses } from "@/test/support/fake-kube-pods";
import { AgentConnection } from "../agent/agent-connection";
import { checkedProcessEvents } from "../agent/agent-events";
import { Stream } from "../agent/gen/pantheon/agent/v1/agent_pb";
import { LABEL_INSTANCE, LABEL_PROJECT, LABEL_SANDBOX, type ContainerEvent } from "../driver";
import { isSandboxError } from "../errors";
import { KubernetesDriverConfigSchema, type KubernetesDriverConfigInput } from "./kubernetes-config";
import { childNprocFor, KubernetesDriver, podCommand, withChildNproc } from "./kubernetes-driver";
import { buildSandboxPod, DEFAULT_DENY_POLICY } from "./pod-spec";

const PORTS = [3430, 3431, 3432, 3433, 3434, 3435, 3436, 3437, 3438, 3439];
const NS = "pantheon-sandboxes";
const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
const IMAGE = "pantheon-sandbox/node:latest";
const labels = { [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: "i-test" };
let api: FakeKubeApiServer;
let pods: FakePodProcesses;

beforeAll(async () => {
  pods = new FakePodProcesses(await buildAgent(() => {}));
  api = await FakeKubeApiServer.start({ ports: PORTS, onExec: pods.onExec });
}, 300_000);
afterEach(() => {
  api.failNext = { count: 0, code: 503 };
});
afterAll(async () => {
  await api?.close();
  pods?.cleanup();
});

function driverFor(server: FakeKubeApiServer, config: KubernetesDriverConfigInput = {}): KubernetesDriver {
  return new KubernetesDriver({
    kubeConfig: server.kubeConfig(),
    // childNproc 0: the fake's pods share the host's kernel, where RLIMIT_NPROC would count every uid-1000 process.
    config: KubernetesDriverConfigSchema.parse({ namespace: NS, runtimeClassName: "gvisor", pollIntervalMs: 5, childNproc: 0, ...config }),
    limits: { ...DEFAULT_LIMITS },
    log,
  });
}

const requestsTo = (method: string, path: RegExp) => api.requests.filter((r) => r.method === method && path.test(r.path));

describe("KubernetesDriver against the fake API server", () => {
  it("ping creates the namespace's default-deny policy when it is missing, and only reads it when it is there", async () => {
    const driver = driverFor(api);
    await driver.ping();
    await driver.ping();
    await driverFor(api).ping(); // a second replica finds it
    const posts = requestsTo("POST", /networkpolicies$/);
    expect(posts.map((r) => r.status)).toEqual([201]);
    expect(requestsTo("GET", /networkpolicies\/pantheon-sandbox-default-deny$/).map((r) => r.status)).toEqual([404, 200]);
    expect(posts[0]!.body).toMatchObject({
      metadata: { name: DEFAULT_DENY_POLICY, namespace: NS },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    expect(api.policies.has(`${NS}/${DEFAULT_DENY_POLICY}`)).toBe(true);
  });

  it("refuses to serve when the policy is missing and RBAC forbids creating it", async () => {
    const locked = await FakeKubeApiServer.start({ ports: PORTS, forbidden: [/networkpolicies/] });
    try {
      const err = await driverFor(locked)
        .ping()
        .catch((e: unknown) => e);
      expect(isSandboxError(err, "NOT_READY")).toBe(true);
      expect(String(err)).toMatch(/apply deploy\/kubernetes\/sandbox-networkpolicy.yaml/);
    } finally {
      await locked.close();
    }
  });

  it("creates warm pods that pass the schema, waits for them, and claims one with a resourceVersion guard", async () => {
    const driver = driverFor(api);
    const ids = await Promise.all([1, 2].map((n) => driver.create({ image: IMAGE, labels, name: `pantheon-i-test-node-${n}` })));
    await Promise.all(ids.map((id) => driver.start(id)));
    const created = requestsTo("POST", /\/pods$/).slice(-2);
    expect(created.map((r) => r.status)).toEqual([201, 201]);
    expect(created[0]!.body).toMatchObject({
      metadata: { labels: { "pantheon.pool": "warm", [LABEL_SANDBOX]: "1" } },
      spec: { runtimeClassName: "gvisor", automountServiceAccountToken: false, securityContext: { runAsUser: 1000, runAsNonRoot: true } },
    });
    expect(await driver.listByLabel({ ...labels, "pantheon.pool": "warm" })).toHaveLength(2);

    await driver.claim(ids[0]!, { projectId: "proj-1", name: "pantheon-i-test-p-proj-1-1", instanceId: "i-test" });
    const claimed = await driver.listByLabel({ "pantheon.pool": "claimed", [LABEL_PROJECT]: "proj-1" });
    expect(claimed).toEqual([expect.objectContaining({ id: ids[0], name: "pantheon-i-test-p-proj-1-1", state: "running" })]);
    await expect(driver.claim(ids[0]!, { projectId: "proj-2", name: "p2", instanceId: "i-test" })).rejects.toThrow(/already claimed for another project/);

    // Two replicas race for the same warm pod: one replace carries a stale resourceVersion.
    const results = await Promise.allSettled([
      driverFor(api).claim(ids[1]!, { projectId: "proj-a", name: "a", instanceId: "i-test" }),
      driverFor(api).claim(ids[1]!, { projectId: "proj-b", name: "b", instanceId: "i-test" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const owner = (await driver.inspect(ids[1]!))!.labels[LABEL_PROJECT];
    expect(["proj-a", "proj-b"]).toContain(owner);
    await Promise.all(ids.map((id) => driver.destroy(id)));
  });

  it("starts the agent over exec v5 in a pod and runs a process through it (as uid 1000)", async () => {
    const driver = driverFor(api);
    const id = await driver.create({ image: IMAGE, labels, name: "agent-pod" });
    await driver.start(id);
    const connection = await AgentConnection.start(driver, id, { log });
    try {
      expect(connection.hello).toMatchObject({ uid: 1000 });
      const out: Buffer[] = [];
      for await (const e of checkedProcessEvents(
        connection.process.start({ id: "r1", command: { case: "shell", value: "id -u && pwd" } }, { timeoutMs: 20_000 }),
      ))
        if (e.type === "output" && e.stream === Stream.STDOUT) out.push(Buffer.from(e.data));
      expect(Buffer.concat(out).toString()).toBe("1000\n/workspace\n");
      const execRecord = api.requests.filter((r) => r.status === 101).at(-1)!;
      expect(execRecord.query.command).toEqual(["/opt/pantheon/bin/pantheon-agent", "serve", "--stdio"]);
    } finally {
      connection.close();
      await driver.destroy(id);
    }
  });

  it("the agent gets the pod's process limit (RLIMIT_NPROC) where the pod has its own kernel, and its processes carry it", async () => {
    const limits = { ...DEFAULT_LIMITS };
    expect(childNprocFor({ runtimeClassName: "gvisor" }, limits)).toBe(limits.pids);
    expect(childNprocFor({}, limits)).toBe(0); // a shared kernel: uid 1000 counts every pod's processes
    expect(childNprocFor({ childNproc: 64 }, limits)).toBe(64);
    expect(withChildNproc(["/opt/pantheon/bin/pantheon-agent", "serve", "--stdio"], 64)).toEqual([
      "/opt/pantheon/bin/pantheon-agent",
      "serve",
      "--stdio",
      "--child-nproc",
      "64",
    ]);
    expect(withChildNproc(["ls"], 64)).toEqual(["ls"]);
    expect(withChildNproc(["/opt/pantheon/bin/pantheon-agent", "serve", "--stdio"], 0)).toEqual(["/opt/pantheon/bin/pantheon-agent", "serve", "--stdio"]);

    // A limit far above what the host's uid 1000 runs, so this test cannot starve its neighbours.
    const driver = driverFor(api, { childNproc: 50_000 });
    const id = await driver.create({ image: IMAGE, labels, name: "nproc-pod" });
    await driver.start(id);
    const connection = await AgentConnection.start(driver, id, { log });
    try {
      const out: Buffer[] = [];
      for await (const e of checkedProcessEvents(
        connection.process.start(
          { id: "n1", command: { case: "shell", value: "grep 'Max processes' /proc/self/limits | tr -s ' ' | cut -d' ' -f3" } },
          { timeoutMs: 20_000 },
        ),
      ))
        if (e.type === "output" && e.stream === Stream.STDOUT) out.push(Buffer.from(e.data));
      expect(Buffer.concat(out).toString()).toBe("50000\n");
      const execRecord = api.requests.filter((r) => r.status === 101).at(-1)!;
      expect(execRecord.query.command).toEqual(["/opt/pantheon/bin/pantheon-agent", "serve", "--stdio", "--child-nproc", "50000"]);
    } finally {
      connection.close();
      await driver.destroy(id);
    }
  });

  it("exec carries the working directory and environment through sandbox-exec, with stdin and the exit code", async () => {
    expect(podCommand({ cmd: ["ls"] })).toEqual(["ls"]);
    expect(podCommand({ cmd: ["ls"], workdir: "/workspace/src", env: { A: "1" } })).toEqual([
      "/opt/pantheon/bin/pantheon-agent",
      "sandbox-exec",
      "--run-as",
      "1000:1000",
      "--cwd",
      "/workspace/src",
      "--",
      "env",
      "A=1",
      "ls",
    ]);
    const driver = driverFor(api);
    const id = await driver.create({ image: IMAGE, labels, name: "exec-pod" });
    await driver.start(id);
    const output: string[] = [];
    const outcome = await driver.exec(id, {
      cmd: ["sh", "-c", 'read x; echo "$x $GREETING $(pwd)"; echo bad >&2; exit 7'],
      user: "1000:1000",
      workdir: "/workspace",
      env: { GREETING: "hi" },
      stdin: Buffer.from("in\n"),
      onOutput: (stream, data) => output.push(`${stream}:${data.toString()}`),
    });
    expect(outcome).toEqual({ exitCode: 7 });
    expect(output.join("")).toContain("stdout:in hi /workspace\n");
    expect(output.join("")).toContain("stderr:bad\n");
    await expect(driver.exec(id, { cmd: ["true"], user: "1000:1000", env: { "BAD=": "x" } })).rejects.toThrow(/invalid environment/);
    await driver.destroy(id);
  });

  it("reports a container that dies (OOM) and a pod that is deleted, once each; destroy is idempotent", async () => {
    const driver = driverFor(api);
    const events: ContainerEvent[] = [];
    const sub = await driver.subscribeEvents(labels, (e) => events.push(e));
    const id = await driver.create({ image: IMAGE, labels, name: "dying" });
    await driver.start(id);
    api.killPod(NS, id, "OOMKilled", 137);
    // The same death seen again in later MODIFIED events must not be reported twice.
    api.markReady(NS, id);
    api.killPod(NS, id, "OOMKilled", 137);
    await driver.destroy(id);
    await driver.destroy(id);
    while (!events.some((e) => e.type === "destroy")) await new Promise((r) => setTimeout(r, 5));
    sub.close();
    await sub.closed;
    expect(events.map((e) => `${e.type}:${e.containerId}:${e.exitCode}`)).toEqual([`oom:${id}:137`, `die:${id}:137`, `destroy:${id}:137`]);
    expect(await driver.inspect(id)).toBeNull();
    expect(requestsTo("DELETE", new RegExp(`/pods/${id}$`)).map((r) => r.status)).toEqual([200, 404]);
  });

  it("the fake answers a pod that breaks the schema with 422 Invalid, as the real API server does", async () => {
    const core = api.kubeConfig().makeApiClient(CoreV1Api);
    const pod = buildSandboxPod({
      name: "broken",
      namespace: NS,
      image: IMAGE,
      limits: { ...DEFAULT_LIMITS },
      labels: {},
      pool: "warm",
      seccomp: { type: "RuntimeDefault" },
      imagePullPolicy: "IfNotPresent",
    });
    (pod.spec!.containers[0]!.resources!.limits as Record<string, unknown>).memory = "plenty";
    await expect(core.createNamespacedPod({ namespace: NS, body: pod })).rejects.toMatchObject({ code: 422 });
    expect(api.pods.has(`${NS}/broken`)).toBe(false);
  });

  it("API server trouble ends as clear errors: refusals, an unreachable server, a pod that never becomes ready", async () => {
    const driver = driverFor(api);
    api.failNext = { count: 1, code: 503 };
    const refused = await driver.ping().catch((e: unknown) => e);
    expect(isSandboxError(refused, "DOCKER_UNAVAILABLE")).toBe(true);
    expect(String(refused)).toMatch(/HTTP 503/);

    const gone = await FakeKubeApiServer.start({ ports: PORTS });
    const unreachable = driverFor(gone);
    await gone.close();
    const down = await unreachable.ping().catch((e: unknown) => e);
    expect(isSandboxError(down, "DOCKER_UNAVAILABLE")).toBe(true);

    const stuck = await FakeKubeApiServer.start({ ports: PORTS, readiness: "never" });
    try {
      const slow = driverFor(stuck, { podReadyTimeoutMs: 1_000 });
      const id = await slow.create({ image: IMAGE, labels, name: "never-ready" });
      const err = await slow.start(id).catch((e: unknown) => e);
      expect(isSandboxError(err, "TIMEOUT")).toBe(true);
      expect(String(err)).toMatch(/not ready after 1000 ms \(phase Pending\)/);
    } finally {
      await stuck.close();
    }
  });
});

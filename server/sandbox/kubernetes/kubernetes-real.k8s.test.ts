// Opt-in (npm run test:k8s): the Kubernetes driver and the whole engine against a REAL
// kube-apiserver and etcd built from the Go module proxy, with kwok as the node
// (test/support/real-kube-cluster.ts). The app talks to the API server as deployed: a token of
// the pantheon-app ServiceAccount limited by deploy/kubernetes/rbac.yaml, in a namespace that
// enforces Pod Security "restricted", with the gVisor RuntimeClass. Pods are created, watched to
// ready (kwok's stages), claimed, and exec'd over v5.channel.k8s.io through the API server's own
// exec path to kwok, which runs the real Go agent as uid 1000. Then the bad cases: a pod that
// never becomes ready, a refusal by RBAC, an API server that stops answering and one that is down.
// Figures (claim latency, exec round trips) are printed, never asserted.
import { CoreV1Api, NetworkingV1Api, type KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildK8sBinaries, goModuleDir } from "@/scripts/k8s/binaries";
import { buildAgent } from "@/sandbox-images/agent";
import { DEFAULT_LIMITS } from "@/security/policy";
import { kwokConfig } from "@/test/support/kwok-config";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import { RealKubeCluster } from "@/test/support/real-kube-cluster";
import type { SandboxEngine } from "../engine";
import { LABEL_SANDBOX, LABEL_SCOPE } from "../driver";
import { isSandboxError } from "../errors";
import { KubernetesDriverConfigSchema, type KubernetesDriverConfigInput } from "./kubernetes-config";
import { KubernetesDriver } from "./kubernetes-driver";
import { DEFAULT_DENY_POLICY } from "./pod-spec";
import { createKubernetesSandboxEngine } from "./kubernetes-engine";

const NS = "pantheon-sandboxes";
const IMAGE = "pantheon/node:k8s-test";
const NEVER_READY_IMAGE = "pantheon/never-ready:k8s-test";
const PORTS = { etcdClient: 3601, etcdPeer: 3602, apiserver: 3603, kwok: 3604 };
const CLAIMS = Number(process.env.K8S_CLAIMS ?? 30);
const MANIFESTS = ["namespaces.yaml", "rbac.yaml", "sandbox-networkpolicy.yaml", "runtimeclass-gvisor.yaml"].map(
  (f) => new URL(`../../../deploy/kubernetes/${f}`, import.meta.url).pathname,
);

const logger = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
let cluster: RealKubeCluster;
let appKc: KubeConfig;
let engine: SandboxEngine;
const store = new MemoryWorkspaceStore();
const report: string[] = [];

function driverFor(kc: KubeConfig, config: KubernetesDriverConfigInput = {}): KubernetesDriver {
  return new KubernetesDriver({
    kubeConfig: kc,
    config: KubernetesDriverConfigSchema.parse({ namespace: NS, runtimeClassName: "gvisor", ...config }),
    limits: DEFAULT_LIMITS,
    log: logger,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function figures(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const line = `${name}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms max=${sorted.at(-1)?.toFixed(1)} ms`;
  report.push(line);
  console.log(line);
  return line;
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const admin = () => cluster.adminKubeConfig().makeApiClient(CoreV1Api);
const podsIn = async (labelSelector?: string) => (await admin().listNamespacedPod({ namespace: NS, ...(labelSelector ? { labelSelector } : {}) })).items;
const readyWarm = async () =>
  (await podsIn("pantheon.pool=warm")).filter((p) => !p.metadata?.deletionTimestamp && p.status?.containerStatuses?.[0]?.ready === true).length;

beforeAll(async () => {
  const binaries = buildK8sBinaries((line) => console.log(line));
  const agentBinary = await buildAgent(() => {});
  cluster = await RealKubeCluster.start({
    binaries,
    ports: PORTS,
    agentBinary,
    kwokConfig: kwokConfig({ kwokModuleDir: goModuleDir("sigs.k8s.io/kwok"), namespace: NS, neverReadyImage: NEVER_READY_IMAGE }),
    manifests: MANIFESTS,
    log: (line) => console.log(`[cluster] ${line}`),
  });
  appKc = await cluster.serviceAccountKubeConfig("pantheon", "pantheon-app");
  engine = createKubernetesSandboxEngine({
    config: {
      scope: "k8s-real",
      poolSizePerImage: 2,
      warmImages: ["node"],
      images: { node: IMAGE },
      maxConcurrent: 4,
      defaultTimeoutMs: 20_000,
      reapOtherInstances: false,
    },
    kubernetes: { namespace: NS, runtimeClassName: "gvisor", pollIntervalMs: 20, requestTimeoutMs: 3_000, podReadyTimeoutMs: 30_000 },
    store,
    logger,
    kubeConfig: appKc,
  });
  await engine.start();
}, 3_600_000);

afterAll(async () => {
  await engine?.stop().catch(() => {});
  if (report.length) console.log(["", "k8s real-cluster figures:", ...report].join("\n"));
  await cluster?.close({ keepDir: process.env.K8S_KEEP === "1" });
}, 120_000);

describe("KubernetesDriver against a real kube-apiserver with kwok as the node", () => {
  it("serves under the app's ServiceAccount: version, and the default-deny policy read (not created) under its Role", async () => {
    await driverFor(appKc).ping();
    // The policy is the manifest's (applied by the deployment); the Role lets the app only read it.
    const policy = await cluster.adminKubeConfig().makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: DEFAULT_DENY_POLICY, namespace: NS });
    expect(policy.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("creates warm pods the API server admits (Pod Security restricted, RuntimeClass gvisor) and kwok makes ready", async () => {
    await eventually("two warm pods ready", async () => (await readyWarm()) === 2);
    const pod = (await podsIn("pantheon.pool=warm"))[0]!;
    expect(pod.spec?.runtimeClassName).toBe("gvisor");
    expect(pod.spec?.nodeName).toBe("kwok-node-0");
    // RuntimeClass admission copied the class's scheduling rule into the pod.
    expect(pod.spec?.nodeSelector?.["pantheon.sandbox/runtime"]).toBe("gvisor");
    expect(pod.spec?.securityContext?.runAsNonRoot).toBe(true);
  });

  it("claims a warm pod for a project, runs a command through the agent over exec v5, writes and reads files", async () => {
    const project = "proj-real";
    const first = await engine.execute(project, { kind: "command", command: "echo from-pod > out.txt; id -u", timeoutMs: 20_000 });
    expect(first.status, first.errorOutput).toBe("success");
    expect(first.output).toBe("1000\n");
    expect(store.files(project).get("out.txt")?.content).toBe("from-pod\n");
    const claimed = await admin().readNamespacedPod({ name: first.containerId!, namespace: NS });
    expect(claimed.metadata?.labels?.["pantheon.pool"]).toBe("claimed");

    // A file saved in the store goes into the live pod through the agent, and the pod reads it.
    store.put(project, "in.txt", "written-through-the-api-server\n");
    await engine.writeFiles(
      project,
      [...store.files(project).values()].filter((f) => f.path === "in.txt"),
    );
    const second = await engine.execute(project, { kind: "command", command: "cat in.txt; printf 'line\\n%.0s' 1 2 3 > three.txt", timeoutMs: 20_000 });
    expect(second.status, second.errorOutput).toBe("success");
    expect(second.output).toBe("written-through-the-api-server\n");
    expect(second.containerId).toBe(first.containerId);
    expect(store.files(project).get("three.txt")?.content).toBe("line\nline\nline\n");
    await engine.releaseProject(project);
    await eventually("the released pod deleted", async () => (await podsIn()).every((p) => p.metadata?.name !== first.containerId));
  });

  it("a plain pod exec through the API server: output and exit status (kwok reports a non-zero exit as an internal error)", async () => {
    const driver = driverFor(appKc);
    await eventually("a warm pod", async () => (await readyWarm()) > 0);
    const pod = (await podsIn("pantheon.pool=warm"))[0]!.metadata!.name!;
    const out: Buffer[] = [];
    const ok = await driver.exec(pod, { cmd: ["sh", "-c", "echo hi; id -u; pwd"], user: "1000", onOutput: (_s, c) => out.push(c) });
    expect(ok.exitCode).toBe(0);
    expect(Buffer.concat(out).toString()).toBe("hi\n1000\n/workspace\n");
    // A kubelet reports NonZeroExitCode with the code; kwok's exec answers a Failure without it.
    const failed = await driver.exec(pod, { cmd: ["sh", "-c", "exit 3"], user: "1000" });
    expect(failed.exitCode).toBeNull();

    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const r = await driver.exec(pod, { cmd: ["true"], user: "1000" });
      samples.push(performance.now() - t0);
      expect(r.exitCode).toBe(0);
    }
    figures("pod exec of `true` through the API server (WebSocket v5 → kube-apiserver → kwok)", samples);
  });

  it(`claim latency over ${CLAIMS} claims (request to a ready sandbox) and execution round trip in a claimed pod`, async () => {
    const claims: number[] = [];
    const roundTrips: number[] = [];
    for (let i = 0; i < CLAIMS; i++) {
      const project = `lat-${i}`;
      // Measured with the warm pool full, as the pool is between bursts.
      await eventually("the warm pool refilled", async () => (await readyWarm()) === 2);
      const t0 = performance.now();
      const first = await engine.execute(project, { kind: "command", command: "true", timeoutMs: 20_000 });
      claims.push(performance.now() - t0);
      expect(first.status, first.errorOutput).toBe("success");
      for (let j = 0; j < 3; j++) {
        const t1 = performance.now();
        const again = await engine.execute(project, { kind: "command", command: "true", timeoutMs: 20_000 });
        roundTrips.push(performance.now() - t1);
        expect(again.status, again.errorOutput).toBe("success");
      }
      await engine.releaseProject(project);
    }
    figures("claim: first execution of `true` for a new project (warm pod claimed, agent over exec v5, workspace loaded, run)", claims);
    figures("execution round trip of `true` in a claimed pod (through the agent)", roundTrips);
  }, 600_000);

  it("cold claims: with no warm pool, request to a ready sandbox includes create, bind, kwok's ready and the poll", async () => {
    const cold = createKubernetesSandboxEngine({
      config: { scope: "k8s-real-cold", poolSizePerImage: 0, warmImages: [], images: { node: IMAGE }, reapOtherInstances: false, defaultTimeoutMs: 20_000 },
      kubernetes: { namespace: NS, runtimeClassName: "gvisor", pollIntervalMs: 20, requestTimeoutMs: 3_000, podReadyTimeoutMs: 30_000 },
      store,
      logger,
      kubeConfig: appKc,
    });
    await cold.start();
    try {
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const result = await cold.execute(`cold-${i}`, { kind: "command", command: "true", timeoutMs: 20_000 });
        samples.push(performance.now() - t0);
        expect(result.status, result.errorOutput).toBe("success");
        await cold.releaseProject(`cold-${i}`);
      }
      figures("cold claim: first execution of `true` with no warm pod (create, bind, ready, agent, run)", samples);
    } finally {
      await cold.stop();
    }
  }, 300_000);

  it("a pod that never becomes ready: TIMEOUT with the pod's phase, and the pod is deleted", async () => {
    const driver = driverFor(appKc, { podReadyTimeoutMs: 3_000, pollIntervalMs: 50 });
    const id = await driver.create({ image: NEVER_READY_IMAGE, labels: { [LABEL_SANDBOX]: "1", [LABEL_SCOPE]: "k8s-real-never-ready" }, name: "never-ready" });
    const err = await driver.start(id).catch((e: unknown) => e);
    expect(isSandboxError(err, "TIMEOUT"), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/not ready after 3000 ms \(phase Pending/);
    await driver.destroy(id);

    // Through the engine: an image whose pods never get ready fails the execution with that error, and leaves no pod.
    const stuck = createKubernetesSandboxEngine({
      config: {
        scope: "k8s-real-stuck",
        poolSizePerImage: 0,
        warmImages: [],
        images: { node: NEVER_READY_IMAGE },
        reapOtherInstances: false,
        defaultTimeoutMs: 20_000,
      },
      kubernetes: { namespace: NS, runtimeClassName: "gvisor", podReadyTimeoutMs: 3_000, pollIntervalMs: 50, requestTimeoutMs: 3_000 },
      store,
      logger,
      kubeConfig: appKc,
    });
    await stuck.start();
    try {
      const result = await stuck.execute("proj-stuck", { kind: "command", command: "true", timeoutMs: 10_000 });
      expect(result.status).toBe("error");
      expect(result.errorOutput).toMatch(/not ready after 3000 ms/);
      console.log(`never-ready execution: ${result.errorCode}: ${result.errorOutput.trim()}`);
      await eventually("no never-ready pod left", async () => (await podsIn()).every((p) => p.spec?.containers[0]?.image !== NEVER_READY_IMAGE), 15_000);
    } finally {
      await stuck.stop();
    }
  }, 60_000);

  it("a refusal by RBAC: outside the sandbox namespace the app may neither read nor create the policy → NOT_READY", async () => {
    const err = await driverFor(appKc, { namespace: "default" })
      .ping()
      .catch((e: unknown) => e);
    expect(isSandboxError(err, "NOT_READY"), String(err)).toBe(true);
    const cause = (err as { cause?: { code?: number; body?: unknown } }).cause;
    expect(cause?.code).toBe(403);
    expect(String(cause?.body)).toContain('cannot create resource \\"networkpolicies\\"');
  });

  it("an API server that stops answering, then one that is down: DOCKER_UNAVAILABLE errors; after it returns, the engine serves again", async () => {
    const driver = driverFor(appKc, { requestTimeoutMs: 2_000 });
    const pod = (await podsIn("pantheon.pool=warm"))[0]!.metadata!.name!;

    cluster.pauseApiServer(true);
    try {
      const hung = await driver.inspect(pod).catch((e: unknown) => e);
      expect(isSandboxError(hung, "DOCKER_UNAVAILABLE"), String(hung)).toBe(true);
      expect((hung as Error).message).toMatch(/did not answer read pod within 2000 ms/);
      const run = await engine.execute("proj-hung", { kind: "command", command: "true", timeoutMs: 10_000 });
      expect(run.status).toBe("error");
      console.log(`paused API server, execution: ${run.errorCode}: ${run.errorOutput.trim()}`);
    } finally {
      cluster.pauseApiServer(false);
    }

    await cluster.stopApiServer();
    const down = await driver.ping().catch((e: unknown) => e);
    expect(isSandboxError(down, "DOCKER_UNAVAILABLE"), String(down)).toBe(true);
    expect((down as Error).message).toMatch(/unreachable/);
    const run = await engine.execute("proj-down", { kind: "command", command: "true", timeoutMs: 10_000 });
    expect(run.status).toBe("error");
    console.log(`stopped API server, execution: ${run.errorCode}: ${run.errorOutput.trim()}`);

    cluster.startApiServer();
    await cluster.waitForApiServer();
    await eventually(
      "the engine serves again",
      async () => (await engine.execute("proj-back", { kind: "command", command: "echo back", timeoutMs: 10_000 })).output === "back\n",
      90_000,
    );
    // Pods whose create answered after the client gave up, or whose delete failed during the
    // outage, are unknown to the pool: the monitoring loop's orphan sweep (after its 2-minute
    // grace, skipped here by its clock argument) removes them, and the pool keeps what it holds.
    const sweep = await engine.fleet.reapOrphans(Date.now() + 121_000);
    console.log(`orphan sweep after the outage removed ${sweep.ownUnknown} pod(s) the pool had lost track of`);
    const known = engine.fleet.activeSandboxes().map((s) => s.containerId);
    expect(known.length).toBeGreaterThan(0);
    await eventually("only pods the pool knows, plus its warm ones", async () => (await podsIn()).length <= known.length + 2, 30_000);
  }, 180_000);

  it("tears down: the engine's stop deletes every pod it made", async () => {
    await engine.stop();
    const left = await eventually("no pod left in the sandbox namespace", async () => (await podsIn()).length === 0, 30_000).catch(async (err: unknown) => {
      const pods = await podsIn();
      console.log(
        pods
          .map(
            (p) =>
              `${p.metadata?.name} phase=${p.status?.phase} deleting=${p.metadata?.deletionTimestamp ? "yes" : "no"} labels=${JSON.stringify(p.metadata?.labels)}`,
          )
          .join("\n"),
      );
      throw err;
    });
    expect(left).toBeUndefined();
  });
});

// The engine over the Kubernetes driver when things go wrong (issue 13, "Bad input"): warm pods
// claimed by a peer replica while we claim them, a pod that never becomes ready, an API server
// that refuses pods. What must hold: one pod per project, no lost claim used, a clear error to
// the caller, nothing left behind. Fake API server; the real Go agent runs as uid 1000.
import pino from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/sandbox-images/agent";
import { FakeKubeApiServer, type FakeApiServerOptions } from "@/test/support/fake-kube-apiserver";
import { FakePodProcesses } from "@/test/support/fake-kube-pods";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import type { EngineConfigInput } from "../config";
import { LABEL_INSTANCE, LABEL_PROJECT } from "../driver";
import type { SandboxEngine } from "../engine";
import type { KubernetesDriverConfigInput } from "./kubernetes-config";
import { createKubernetesSandboxEngine } from "./kubernetes-engine";

const PORTS = [3660, 3661, 3662, 3663, 3664, 3665, 3666, 3667, 3668, 3669];
const NS = "pantheon-sandboxes";
let agentBinary: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  agentBinary = await buildAgent(() => {});
}, 300_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(fake: Omit<FakeApiServerOptions, "ports" | "onExec">, config: EngineConfigInput, kubernetes: KubernetesDriverConfigInput = {}) {
  const pods = new FakePodProcesses(agentBinary);
  cleanups.push(() => pods.cleanup());
  const api = await FakeKubeApiServer.start({ ports: PORTS, onExec: pods.onExec, ...fake });
  cleanups.push(() => api.close());
  const engine: SandboxEngine = createKubernetesSandboxEngine({
    config: { scope: "k8s-faults", warmImages: ["node"], maxConcurrent: 4, defaultTimeoutMs: 20_000, reapOtherInstances: false, ...config },
    kubernetes: { namespace: NS, pollIntervalMs: 5, retryBackoffMs: 5, ...kubernetes },
    store: new MemoryWorkspaceStore(),
    logger: pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }),
    kubeConfig: api.kubeConfig(),
  });
  cleanups.push(() => engine.stop());
  await engine.start();
  return { api, engine };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("SandboxEngine over Kubernetes, when claims race and pods fail", () => {
  it("every warm pod is claimed by a peer replica while we claim it: another pod claimed or created for the project (one), the peer's pods untouched", async () => {
    const { api, engine } = await setUp({}, { poolSizePerImage: 2 });
    const warm = () => [...api.pods.values()].filter((p) => p.metadata?.labels?.["pantheon.pool"] === "warm");
    // Warm in the pool (agent connected), not only labelled warm.
    await eventually(() => warm().length === 2 && engine.status().pool.warm.node === 2, "two warm pods");
    const stolen = warm().map((p) => p.metadata!.name!);
    // Each claim's replace meets a pod another replica has just claimed (409, then claimed on re-read).
    for (const name of stolen)
      api.beforeNext.push({
        match: new RegExp(`^PUT .*/pods/${name}$`),
        run: (fake) => fake.relabel(NS, name, { "pantheon.pool": "claimed", [LABEL_PROJECT]: `peer-of-${name}`, [LABEL_INSTANCE]: "i-peer" }),
      });

    const result = await engine.execute("proj-race", { kind: "command", command: "echo ok", timeoutMs: 20_000 });
    expect(result.status, result.errorOutput).toBe("success");
    expect(result.output).toBe("ok\n");
    expect(stolen).not.toContain(result.containerId);
    const ours = [...api.pods.values()].filter((p) => p.metadata?.labels?.[LABEL_PROJECT] === "proj-race");
    expect(ours.map((p) => p.metadata?.name)).toEqual([result.containerId]);
    for (const name of stolen) expect(api.pods.get(`${NS}/${name}`)?.metadata?.labels?.[LABEL_PROJECT]).toBe(`peer-of-${name}`);
    // Both lost claims were answered 409 and never used.
    expect(api.requests.filter((r) => r.method === "PUT" && stolen.some((n) => r.path.endsWith(`/${n}`))).map((r) => r.status)).toEqual([409, 409]);
  });

  it("a pod that never becomes ready: a bounded wait, a clear error to the caller, the pod deleted", async () => {
    const { api, engine } = await setUp({ readiness: "never" }, { poolSizePerImage: 0 }, { podReadyTimeoutMs: 1_000 });
    const result = await engine.execute("proj-stuck", { kind: "command", command: "echo never", timeoutMs: 20_000 });
    expect(result.status).toBe("error");
    expect(result.errorCode).toBe("TIMEOUT");
    expect(result.errorOutput).toMatch(/^pantheon: pod pantheon-[a-z0-9-]+ not ready after 1000 ms \(phase Pending\)\n$/);
    await eventually(() => api.pods.size === 0, "the stuck pod deleted");
    expect(api.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pods"))).toHaveLength(1);
  });

  it("an API server that refuses pods (RBAC): the caller is told what failed, nothing is created or retried", async () => {
    const { api, engine } = await setUp({ forbidden: [/^POST .*\/pods$/] }, { poolSizePerImage: 0 });
    const result = await engine.execute("proj-refused", { kind: "command", command: "echo no", timeoutMs: 20_000 });
    expect(result.status).toBe("error");
    expect(result.errorOutput).toBe(
      "pantheon: Kubernetes API server refused create pod with HTTP 403: forbidden: POST /api/v1/namespaces/pantheon-sandboxes/pods\n",
    );
    expect(result.errorOutput).not.toMatch(/\n\s+at /); // no stack
    expect(api.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pods")).map((r) => r.status)).toEqual([403]);
    expect(api.pods.size).toBe(0);
  });

  it("the stated limit: sandbox code shares the agent's uid and can kill it; only its own pod is lost, the next run gets a fresh one", async () => {
    const { api, engine } = await setUp({}, { poolSizePerImage: 1 });
    const first = await engine.execute("proj-self", { kind: "command", command: "id -u", timeoutMs: 20_000 });
    expect(first.output).toBe("1000\n");
    // The agent is this shell's parent (it launched it), and the same uid: the kernel lets the kill through.
    const killer = await engine.execute("proj-self", { kind: "command", command: "kill -9 $PPID; sleep 5", timeoutMs: 20_000 });
    expect(killer.status).toBe("error");
    expect(killer.errorCode).toBe("CONTAINER_LOST");
    await eventually(() => !api.pods.has(`${NS}/${first.containerId}`), "the pod whose agent died deleted");
    const next = await engine.execute("proj-self", { kind: "command", command: "echo again", timeoutMs: 20_000 });
    expect(next.output).toBe("again\n");
    expect(next.containerId).not.toBe(first.containerId);
  });
});

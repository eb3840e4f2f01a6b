// The whole engine (pool, leases, agent client, file sync) over SANDBOX_DRIVER=kubernetes,
// against the fake API server: warm pods created at start, one claimed for a project, a command
// run through the agent in it (the real Go agent as uid 1000), its file saved to the store.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/sandbox-images/agent";
import { FakeKubeApiServer } from "@/test/support/fake-kube-apiserver";
import { FakePodProcesses } from "@/test/support/fake-kube-pods";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import type { SandboxEngine } from "../engine";
import { LABEL_PROJECT } from "../driver";
import { ANNOTATION_CLAIM } from "./kubernetes-driver";
import { createKubernetesSandboxEngine } from "./kubernetes-engine";

const NS = "pantheon-sandboxes";
let api: FakeKubeApiServer;
let pods: FakePodProcesses;
let engine: SandboxEngine;
const store = new MemoryWorkspaceStore();

beforeAll(async () => {
  pods = new FakePodProcesses(await buildAgent(() => {}));
  api = await FakeKubeApiServer.start({ ports: [3439, 3438, 3437, 3436, 3435, 3434, 3433, 3432, 3431, 3430], onExec: pods.onExec });
  engine = createKubernetesSandboxEngine({
    config: { scope: "k8s-test", poolSizePerImage: 2, warmImages: ["node"], maxConcurrent: 4, defaultTimeoutMs: 20_000, reapOtherInstances: false },
    // childNproc 0: the fake's pods share the host's kernel (RLIMIT_NPROC would count every uid-1000 process).
    kubernetes: { namespace: NS, runtimeClassName: "gvisor", pollIntervalMs: 5, childNproc: 0 },
    store,
    logger: pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }),
    kubeConfig: api.kubeConfig(),
  });
  await engine.start();
}, 300_000);

afterAll(async () => {
  await engine?.stop();
  await api?.close();
  pods?.cleanup();
});

async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("SandboxEngine over the Kubernetes driver (fake API server)", () => {
  it("keeps warm pods, claims one for a project, runs a command through its agent and saves the file", async () => {
    const warm = () => [...api.pods.values()].filter((p) => p.metadata?.labels?.["pantheon.pool"] === "warm");
    await eventually(() => warm().length === 2);
    expect(api.policies.size).toBe(1);

    const result = await engine.execute("proj-k8s", { kind: "command", command: "echo from-pod > out.txt; id -u", timeoutMs: 20_000 });
    expect(result.status, result.errorOutput).toBe("success");
    expect(result.output).toBe("1000\n");
    expect(store.files("proj-k8s").get("out.txt")?.content).toBe("from-pod\n");

    const claimed = api.pods.get(`${NS}/${result.containerId}`);
    expect(claimed?.metadata?.labels?.["pantheon.pool"]).toBe("claimed");
    // Claimed from the warm pool (the claim's token), for this project, before it was used.
    expect(claimed?.metadata?.labels?.[LABEL_PROJECT]).toBe("proj-k8s");
    expect(claimed?.metadata?.annotations?.[ANNOTATION_CLAIM]).toBeDefined();
    // The pool tops itself up with a new warm pod.
    await eventually(() => warm().length === 2);
    // Every pod the engine sent passed the schema (the fake answers 422 otherwise).
    expect(api.requests.filter((r) => r.path.endsWith("/pods") && r.method === "POST").every((r) => r.status === 201)).toBe(true);
  });
});

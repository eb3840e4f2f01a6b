// The Kubernetes driver when the API server or another client gets in the way (issue 13, "Bad
// input"): a claim raced by a peer replica or by the kubelet's status update, answers that are
// lost after the write landed, refusals and outages. Against the fake API server, which validates
// every pod against the OpenAPI schema. What must hold: clear errors, one pod per request, retries
// only of idempotent calls.
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "@/security/policy";
import { FakeKubeApiServer } from "@/test/support/fake-kube-apiserver";
import { LABEL_INSTANCE, LABEL_PROJECT, LABEL_SANDBOX } from "../driver";
import { ClaimLostError, isSandboxError } from "../errors";
import { KubernetesDriverConfigSchema, type KubernetesDriverConfigInput } from "./kubernetes-config";
import { ANNOTATION_CLAIM, KubernetesDriver } from "./kubernetes-driver";

const PORTS = [3650, 3651, 3652, 3653, 3654, 3655, 3656, 3657, 3658, 3659];
const NS = "pantheon-sandboxes";
const IMAGE = "pantheon-sandbox/node:latest";
const labels = { [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: "i-faults" };
const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
let api: FakeKubeApiServer;

beforeAll(async () => {
  api = await FakeKubeApiServer.start({ ports: PORTS });
});
afterEach(() => {
  api.failNext = { count: 0, code: 503 };
  api.stallNext = { count: 0, match: /$^/, ms: 0 };
  api.beforeNext.length = 0;
});
afterAll(async () => {
  await api?.close();
});

function driverFor(server: FakeKubeApiServer, config: KubernetesDriverConfigInput = {}): KubernetesDriver {
  return new KubernetesDriver({
    kubeConfig: server.kubeConfig(),
    config: KubernetesDriverConfigSchema.parse({ namespace: NS, pollIntervalMs: 5, retryBackoffMs: 5, ...config }),
    limits: { ...DEFAULT_LIMITS },
    log,
  });
}

const since = (mark: number) => api.requests.slice(mark);
const statuses = (mark: number, method: string, path: RegExp) =>
  since(mark)
    .filter((r) => r.method === method && path.test(r.path))
    .map((r) => r.status);
const podsNamed = (prefix: string) => [...api.pods.values()].filter((p) => p.metadata?.name?.startsWith(prefix));

async function warmPod(driver: KubernetesDriver, name: string): Promise<string> {
  const id = await driver.create({ image: IMAGE, labels, name });
  await driver.start(id);
  return id;
}

describe("claims under races", () => {
  it("a status update between the read and the replace (409) is read again and the claim succeeds", async () => {
    const driver = driverFor(api);
    const id = await warmPod(driver, "kubelet-race");
    const mark = api.requests.length;
    // The kubelet reports the pod again: a new resourceVersion, labels unchanged.
    api.beforeNext.push({ match: new RegExp(`^PUT .*/pods/${id}$`), run: (fake) => fake.markReady(NS, id) });
    await driver.claim(id, { projectId: "proj-1", name: "p1", instanceId: "i-claimer" });
    expect(statuses(mark, "PUT", /\/pods\//)).toEqual([409, 200]);
    // The claimer's instance label: its sweeps and events own the pod now, not the creator's.
    expect(api.pods.get(`${NS}/${id}`)?.metadata?.labels).toMatchObject({
      "pantheon.pool": "claimed",
      [LABEL_PROJECT]: "proj-1",
      [LABEL_INSTANCE]: "i-claimer",
    });
    await driver.destroy(id);
  });

  it("a peer replica that claims the pod first wins: the claim fails as lost, the peer's claim stays", async () => {
    const driver = driverFor(api);
    const id = await warmPod(driver, "peer-race");
    api.beforeNext.push({
      match: new RegExp(`^PUT .*/pods/${id}$`),
      run: (fake) => fake.relabel(NS, id, { "pantheon.pool": "claimed", [LABEL_PROJECT]: "peer-project" }),
    });
    const err = await driver.claim(id, { projectId: "proj-2", name: "p2", instanceId: "i-test" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaimLostError);
    expect(String(err)).toMatch(/already claimed for another project/);
    expect(api.pods.get(`${NS}/${id}`)?.metadata?.labels?.[LABEL_PROJECT]).toBe("peer-project");
    // Gone pods are lost claims too (the pool drops them and takes another).
    await driver.destroy(id);
    expect(await driver.claim(id, { projectId: "proj-2", name: "p2", instanceId: "i-test" }).catch((e: unknown) => e)).toBeInstanceOf(ClaimLostError);
  });

  it("a claim whose answer is lost (the write landed, the deadline passed) finds its own token and holds", async () => {
    const driver = driverFor(api, { requestTimeoutMs: 200 });
    const id = await warmPod(driver, "lost-answer");
    const mark = api.requests.length;
    api.stallNext = { count: 1, match: new RegExp(`^PUT .*/pods/${id}$`), ms: 1_000 };
    await driver.claim(id, { projectId: "proj-3", name: "p3", instanceId: "i-test" });
    // One replace, applied once; the next read showed our token.
    expect(statuses(mark, "PUT", /\/pods\//)).toEqual([200]);
    const pod = api.pods.get(`${NS}/${id}`)!;
    expect(pod.metadata?.labels?.[LABEL_PROJECT]).toBe("proj-3");
    expect(pod.metadata?.annotations?.[ANNOTATION_CLAIM]).toMatch(/^[0-9a-f-]{36}$/);
    // Another claim of the same pod, even for the same project, is someone else's: refused.
    expect(await driver.claim(id, { projectId: "proj-3", name: "p3", instanceId: "i-test" }).catch((e: unknown) => e)).toBeInstanceOf(ClaimLostError);
    await driver.destroy(id);
  });
});

describe("creates, deletes and refusals", () => {
  it("a create refused with 503 is sent again under the same name: one pod", async () => {
    const driver = driverFor(api);
    const mark = api.requests.length;
    api.failNext = { count: 1, code: 503 };
    const id = await driver.create({ image: IMAGE, labels, name: "retry-503" });
    expect(statuses(mark, "POST", /\/pods$/)).toEqual([503, 201]);
    expect(podsNamed("retry-503")).toHaveLength(1);
    await driver.destroy(id);
  });

  it("a create whose answer is lost is sent again; 'already exists' with our labels is our pod: one pod", async () => {
    const driver = driverFor(api, { requestTimeoutMs: 200 });
    const mark = api.requests.length;
    api.stallNext = { count: 1, match: /^POST .*\/pods$/, ms: 1_000 };
    const id = await driver.create({ image: IMAGE, labels, name: "retry-lost" });
    expect(statuses(mark, "POST", /\/pods$/)).toEqual([201, 409]);
    expect(podsNamed("retry-lost").map((p) => p.metadata?.name)).toEqual([id]);
    await driver.destroy(id);
  });

  it("a refusal (403) is not tried again and says what failed; nothing is left", async () => {
    const locked = await FakeKubeApiServer.start({ ports: PORTS, forbidden: [/^POST .*\/pods$/] });
    try {
      const err = await driverFor(locked)
        .create({ image: IMAGE, labels, name: "refused" })
        .catch((e: unknown) => e);
      expect(isSandboxError(err, "INTERNAL")).toBe(true);
      expect((err as Error).message).toMatch(
        /^Kubernetes API server refused create pod with HTTP 403: forbidden: POST \/api\/v1\/namespaces\/pantheon-sandboxes\/pods$/,
      );
      expect(locked.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([403]);
      expect(locked.pods.size).toBe(0);
    } finally {
      await locked.close();
    }
  });

  it("an API server that keeps failing: a bounded number of tries, a clear error, and the name deleted", async () => {
    const driver = driverFor(api, { retryAttempts: 3 });
    const mark = api.requests.length;
    api.failNext = { count: 3, code: 503 };
    const err = await driver.create({ image: IMAGE, labels, name: "down" }).catch((e: unknown) => e);
    expect(isSandboxError(err, "DOCKER_UNAVAILABLE")).toBe(true);
    expect((err as Error).message).toMatch(/refused create pod with HTTP 503/);
    expect(statuses(mark, "POST", /\/pods$/)).toEqual([503, 503, 503]);
    // The clean-up of a create that may have landed: a delete of that name (404: it had not).
    for (let i = 0; i < 100 && !statuses(mark, "DELETE", /\/pods\/down-/).length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(statuses(mark, "DELETE", /\/pods\/down-/)).toEqual([404]);
    expect(podsNamed("down")).toHaveLength(0);
  });

  it("a delete refused with 503 is tried again (idempotent); reads too", async () => {
    const driver = driverFor(api);
    const id = await warmPod(driver, "delete-retry");
    const mark = api.requests.length;
    api.failNext = { count: 1, code: 503 };
    expect((await driver.inspect(id))?.running).toBe(true);
    api.failNext = { count: 2, code: 502 };
    await driver.destroy(id);
    expect(statuses(mark, "GET", new RegExp(`/pods/${id}$`))).toEqual([503, 200]);
    expect(statuses(mark, "DELETE", new RegExp(`/pods/${id}$`))).toEqual([502, 502, 200]);
    expect(api.pods.has(`${NS}/${id}`)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { DEFAULT_LIMITS, LIMIT_CEILINGS } from "../../../security/policy";
import { buildDefaultDenyPolicy, buildSandboxPod, checkLabels, podNameFrom, type SandboxPodInput } from "./pod-spec";
import { KubernetesSchemaError, validateKubernetesObject } from "./schema";

const base: SandboxPodInput = {
  name: "pantheon-i-abc-node-1-x7k2",
  namespace: "pantheon-sandboxes",
  image: "registry.example/pantheon-sandbox/node:latest",
  limits: { ...DEFAULT_LIMITS },
  labels: { "pantheon.sandbox": "1", "pantheon.instance": "i-abc", "pantheon.image": "node" },
  pool: "warm",
  runtimeClassName: "gvisor",
  seccomp: { type: "RuntimeDefault" },
  imagePullPolicy: "IfNotPresent",
};
const pod = (over: Partial<SandboxPodInput> = {}) => buildSandboxPod({ ...base, ...over });
const container = (over: Partial<SandboxPodInput> = {}) => pod(over).spec!.containers[0]!;

describe("buildSandboxPod", () => {
  it("runs as uid 1000, non-root, read-only root, no escalation, every capability dropped", () => {
    const p = pod();
    expect(p.spec!.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container().securityContext).toEqual({
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container().securityContext!.capabilities!.add).toBeUndefined();
  });

  it("carries no credential and no view of the cluster", () => {
    const s = pod().spec!;
    expect(s.automountServiceAccountToken).toBe(false);
    expect(s.enableServiceLinks).toBe(false);
    expect(s).toMatchObject({ hostNetwork: false, hostPID: false, hostIPC: false, shareProcessNamespace: false, restartPolicy: "Never" });
    expect(s.serviceAccountName).toBeUndefined();
    expect(s.volumes!.every((v) => Object.keys(v).sort().join() === "emptyDir,name")).toBe(true);
  });

  it("takes the RuntimeClass from configuration, and none when none is configured", () => {
    expect(pod().spec!.runtimeClassName).toBe("gvisor");
    expect(pod({ runtimeClassName: undefined }).spec!).not.toHaveProperty("runtimeClassName");
  });

  it("uses a Localhost seccomp profile when one is shipped to the nodes", () => {
    const p = pod({ seccomp: { type: "Localhost", localhostProfile: "pantheon/seccomp.json" } });
    expect(p.spec!.securityContext!.seccompProfile).toEqual({ type: "Localhost", localhostProfile: "pantheon/seccomp.json" });
    expect(p.spec!.containers[0]!.securityContext!.seccompProfile).toEqual({ type: "Localhost", localhostProfile: "pantheon/seccomp.json" });
    expect(() => pod({ seccomp: { type: "Localhost", localhostProfile: "../../etc/x y" } })).toThrow(/seccomp/);
  });

  it("mirrors the Docker limits: CPU and memory as limits = requests, memory-backed emptyDirs with sizeLimit", () => {
    const c = container();
    expect(c.resources).toEqual({
      limits: { cpu: "1000m", memory: String(DEFAULT_LIMITS.memoryBytes) },
      requests: { cpu: "1000m", memory: String(DEFAULT_LIMITS.memoryBytes) },
    });
    expect(container({ limits: { ...DEFAULT_LIMITS, cpus: 0.25 } }).resources!.limits!.cpu).toBe("250m");
    expect(pod().spec!.volumes).toEqual([
      { name: "workspace", emptyDir: { medium: "Memory", sizeLimit: String(DEFAULT_LIMITS.workspaceBytes) } },
      { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: String(DEFAULT_LIMITS.tmpBytes) } },
      { name: "home", emptyDir: { medium: "Memory", sizeLimit: String(DEFAULT_LIMITS.homeBytes) } },
    ]);
    expect(c.volumeMounts!.map((m) => m.mountPath)).toEqual(["/workspace", "/tmp", "/home/sandbox"]);
    expect(c.volumeMounts!.every((m) => m.readOnly !== true && m.subPath === undefined)).toBe(true);
  });

  it("refuses a limit above its ceiling instead of clamping it", () => {
    expect(() => pod({ limits: { ...DEFAULT_LIMITS, memoryBytes: LIMIT_CEILINGS.memoryBytes + 1 } })).toThrow(ZodError);
  });

  it("idles in /workspace with the given environment only", () => {
    const c = container({ env: { A: "1" } });
    expect(c.command).toEqual(["sleep", "infinity"]);
    expect(c.workingDir).toBe("/workspace");
    expect(c.env).toEqual([{ name: "A", value: "1" }]);
    expect(() => pod({ env: { "BAD-NAME": "1" } })).toThrow(/environment/);
  });

  it("labels warm and claimed pods, and refuses label values Kubernetes would refuse", () => {
    expect(pod().metadata!.labels).toMatchObject({ "pantheon.pool": "warm", "pantheon.sandbox": "1" });
    expect(pod({ pool: "claimed", labels: { ...base.labels, "pantheon.project": "cmabc123" } }).metadata!.labels).toMatchObject({
      "pantheon.pool": "claimed",
      "pantheon.project": "cmabc123",
    });
    expect(() => checkLabels({ "pantheon.project": "x".repeat(64) })).toThrow(/refuses/);
    expect(() => checkLabels({ "pantheon.project": "has space" })).toThrow(/refuses/);
  });

  it("turns pool names into DNS labels", () => {
    expect(podNameFrom("pantheon-i-AB_c-node-1", "x7k2")).toBe("pantheon-i-ab-c-node-1-x7k2");
    expect(podNameFrom("x".repeat(100), "abcd")).toHaveLength(63);
    expect(() => pod({ name: "Not_A_Name" })).toThrow(/pod name/);
  });
});

describe("OpenAPI schema validation (kubernetes-models)", () => {
  it("accepts every pod the spec builds: warm, claimed, gVisor or not, Localhost seccomp, ceilings", () => {
    const variants: Partial<SandboxPodInput>[] = [
      {},
      { pool: "claimed" },
      { runtimeClassName: undefined },
      { seccomp: { type: "Localhost", localhostProfile: "pantheon/seccomp.json" } },
      { limits: { ...LIMIT_CEILINGS }, env: { NODE_ENV: "production" }, imagePullPolicy: "Never" },
    ];
    for (const v of variants) expect(() => validateKubernetesObject(pod(v))).not.toThrow();
  });

  it("accepts the default-deny NetworkPolicy, which selects every pod both ways with no rule", () => {
    const np = buildDefaultDenyPolicy("pantheon-sandboxes");
    expect(() => validateKubernetesObject(np)).not.toThrow();
    expect(np.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] });
  });

  it("refuses broken objects with the path of the fault", () => {
    const badQuantity = pod();
    badQuantity.spec!.containers[0]!.resources!.limits!.memory = "lots";
    expect(() => validateKubernetesObject(badQuantity)).toThrow(/limits\/memory/);
    const noContainers = pod();
    (noContainers.spec as { containers?: unknown }).containers = undefined;
    expect(() => validateKubernetesObject(noContainers)).toThrow(KubernetesSchemaError);
    const badPolicy = buildDefaultDenyPolicy("ns");
    badPolicy.spec!.policyTypes = ["Sideways"];
    expect(() => validateKubernetesObject(badPolicy)).toThrow(/policyTypes/);
    expect(() => validateKubernetesObject({ apiVersion: "v1", kind: "Pdo" })).toThrow(/not known/);
    expect(() => validateKubernetesObject("Pod")).toThrow(KubernetesSchemaError);
  });
});

// The one place a sandbox pod's Kubernetes configuration is decided: the counterpart of
// container-spec.ts. Pure: same input, same objects. Each field is a protection of the Docker
// posture carried over (security/THREAT_MODEL.md); pod-spec.test.ts pins each one and validates
// the result against the official OpenAPI schema.
import type { V1NetworkPolicy, V1Pod, V1SeccompProfile } from "@kubernetes/client-node";
import { SANDBOX_GID, SANDBOX_UID, STOP_TIMEOUT_SECONDS, sandboxLimitsSchema, type SandboxLimits } from "../../../security/policy";
import { IDLE_COMMAND, WORKSPACE_DIR } from "../container-spec";

/** Pool state of a sandbox pod: pre-created and free, or handed to one project. */
export const LABEL_POOL = "pantheon.pool";
export type PoolState = "warm" | "claimed";
export const SANDBOX_CONTAINER = "sandbox";
export const DEFAULT_DENY_POLICY = "pantheon-sandbox-default-deny";
/** The workspace, /tmp and the home directory: the only writable places, as in the Docker spec. */
const HOME_DIR = "/home/sandbox";

export type SeccompChoice = { type: "RuntimeDefault" } | { type: "Localhost"; localhostProfile: string };

export interface SandboxPodInput {
  name: string;
  namespace: string;
  image: string;
  limits: SandboxLimits;
  labels: Record<string, string>;
  pool: PoolState;
  /** A RuntimeClass naming gVisor (or Kata) on the nodes; absent = the cluster's default runtime. */
  runtimeClassName?: string | undefined;
  seccomp: SeccompChoice;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  env?: Record<string, string> | undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** A pod name from anything (the pool's Docker-style names): lower case, DNS label, ≤ 63. */
export function podNameFrom(raw: string, suffix: string): string {
  const base = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 62 - suffix.length);
  return `${base.replace(/-+$/, "") || "sandbox"}-${suffix}`;
}

/** Label values are ≤ 63 characters of [A-Za-z0-9-_.]; a value that is not one is refused, never rewritten. */
export function checkLabels(labels: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_VALUE.test(v)) throw new Error(`label ${k} has a value Kubernetes refuses: ${JSON.stringify(v.slice(0, 80))}`);
  }
  return { ...labels };
}

/** Quantity strings the API server parses exactly: bytes as plain integers, CPUs in millicores. */
function cpuQuantity(cpus: number): string {
  return `${Math.round(cpus * 1000)}m`;
}

export function buildSandboxPod(input: SandboxPodInput): V1Pod {
  // Refuse, never clamp: a limit above the policy ceiling is a bug or an attack.
  const limits = sandboxLimitsSchema.parse(input.limits);
  if (!DNS_LABEL.test(input.name)) throw new Error(`invalid pod name ${JSON.stringify(input.name)}`);
  if (!DNS_LABEL.test(input.namespace)) throw new Error(`invalid namespace ${JSON.stringify(input.namespace)}`);
  if (!input.image.trim()) throw new Error("image is required");
  if (input.seccomp.type === "Localhost" && !/^[A-Za-z0-9._/-]+$/.test(input.seccomp.localhostProfile))
    throw new Error("invalid localhost seccomp profile path");
  const env = Object.entries(input.env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name) || value.includes("\0")) throw new Error(`invalid environment variable ${JSON.stringify(name)}`);
    return { name, value };
  });
  const seccompProfile: V1SeccompProfile = { ...input.seccomp };
  const resources = { cpu: cpuQuantity(limits.cpus), memory: String(limits.memoryBytes) };

  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: checkLabels({ ...input.labels, [LABEL_POOL]: input.pool }),
    },
    spec: {
      ...(input.runtimeClassName ? { runtimeClassName: input.runtimeClassName } : {}),
      // No credential of any kind inside the sandbox: no API token, no service environment
      // variables naming the cluster's services (their addresses are reconnaissance).
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
      hostname: "sandbox",
      restartPolicy: "Never",
      terminationGracePeriodSeconds: STOP_TIMEOUT_SECONDS,
      securityContext: {
        runAsUser: SANDBOX_UID,
        runAsGroup: SANDBOX_GID,
        runAsNonRoot: true,
        fsGroup: SANDBOX_GID,
        supplementalGroups: [],
        seccompProfile,
      },
      containers: [
        {
          name: SANDBOX_CONTAINER,
          image: input.image,
          imagePullPolicy: input.imagePullPolicy,
          // Work arrives through exec; the container only has to stay alive.
          command: [...IDLE_COMMAND],
          workingDir: WORKSPACE_DIR,
          env,
          stdin: false,
          tty: false,
          securityContext: {
            runAsUser: SANDBOX_UID,
            runAsGroup: SANDBOX_GID,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile,
          },
          // requests = limits (Guaranteed QoS): the scheduler reserves all a sandbox may use, so a
          // node is never overcommitted by sandboxes and none bursts into its neighbours' share.
          resources: { limits: resources, requests: resources },
          volumeMounts: [
            { name: "workspace", mountPath: WORKSPACE_DIR },
            { name: "tmp", mountPath: "/tmp" },
            { name: "home", mountPath: HOME_DIR },
          ],
        },
      ],
      // Memory-backed like the Docker tmpfs mounts, so they are charged to the pod's memory limit;
      // sizeLimit makes the kubelet evict a pod that writes past it.
      volumes: [
        { name: "workspace", emptyDir: { medium: "Memory", sizeLimit: String(limits.workspaceBytes) } },
        { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: String(limits.tmpBytes) } },
        { name: "home", emptyDir: { medium: "Memory", sizeLimit: String(limits.homeBytes) } },
      ],
    },
  };
}

/**
 * Every pod of the sandbox namespace selected, both directions listed, no rule: nothing in,
 * nothing out. Previews and egress go through the agent's stream, never through pod IPs.
 */
export function buildDefaultDenyPolicy(namespace: string): V1NetworkPolicy {
  if (!DNS_LABEL.test(namespace)) throw new Error(`invalid namespace ${JSON.stringify(namespace)}`);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: DEFAULT_DENY_POLICY, namespace },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] },
  };
}

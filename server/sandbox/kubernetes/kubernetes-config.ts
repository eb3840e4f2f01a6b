import { z } from "zod";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * What the Kubernetes driver needs beyond the engine's config (SANDBOX_K8S_* in lib/env.ts).
 * The API server address and credentials come from the kubeconfig (in a cluster: the app's
 * ServiceAccount), never from here.
 */
export const KubernetesDriverConfigSchema = z.object({
  /** Where sandbox pods live; the app's Role is limited to it (deploy/kubernetes/rbac.yaml). */
  namespace: z.string().regex(DNS_LABEL).default("pantheon-sandboxes"),
  /** A RuntimeClass for gVisor (runsc) or Kata on the nodes; unset = the cluster's default runtime. */
  runtimeClassName: z.string().regex(DNS_LABEL).optional(),
  /** A seccomp profile shipped to every node under the kubelet's seccomp directory; unset = RuntimeDefault. */
  seccompLocalhostProfile: z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/)
    .refine((p) => !p.split("/").includes(".."), "must stay under the kubelet's seccomp directory")
    .optional(),
  imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent"),
  /** A pod not Running and ready by then is deleted and the claim fails (an image that never pulls, no node). */
  podReadyTimeoutMs: z.number().int().min(1_000).max(600_000).default(120_000),
  /** Every API call's deadline: an API server that hangs is an error, not a hung request. */
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Between readiness polls of a starting pod. */
  pollIntervalMs: z.number().int().min(5).max(5_000).default(250),
  /**
   * Tries of one idempotent call (a read, a delete, a create under a fixed name, a guarded claim)
   * when the API server is unreachable, answers 429/5xx or misses its deadline. Never more.
   */
  retryAttempts: z.number().int().min(1).max(10).default(3),
  /** Before the second try; doubled for each one after. */
  retryBackoffMs: z.number().int().min(0).max(10_000).default(200),
  /**
   * RLIMIT_NPROC of sandbox processes, handed to the pod's agent (--child-nproc). A pod spec has
   * no pids limit (the kubelet's podPidsLimit is the node-wide one), and RLIMIT_NPROC counts a
   * uid's processes in its kernel: per pod only under a RuntimeClass with a kernel of its own
   * (gVisor, Kata). Unset: the policy's pids limit when runtimeClassName is set, else none (on
   * a shared kernel uid 1000 is every pod's user, and the count would be the node's).
   */
  childNproc: z.number().int().min(0).max(1_000_000).optional(),
});

export type KubernetesDriverConfigInput = z.input<typeof KubernetesDriverConfigSchema>;
export type KubernetesDriverConfig = z.output<typeof KubernetesDriverConfigSchema>;

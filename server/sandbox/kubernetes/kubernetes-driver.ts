// The SandboxDriver over the Kubernetes API: a pod per sandbox (pod-spec.ts), exec over the
// v5 WebSocket (exec-stream.ts), the sandbox namespace closed by a default-deny NetworkPolicy.
// The container id the engine sees is the pod's name. The pool's pre-created containers are
// pre-created pods labelled pantheon.pool=warm; binding one to a project claims it
// (pantheon.pool=claimed), a replace guarded by resourceVersion, so two app replicas racing
// for the same pod cannot both win.
import { randomBytes } from "node:crypto";
import { CoreV1Api, NetworkingV1Api, VersionApi, Watch, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { SandboxLimits } from "../../../security/policy";
import { AGENT_BINARY } from "../sandbox-exec";
import { SANDBOX_USER, WORKSPACE_DIR } from "../container-spec";
import type {
  AttachedExec,
  AttachRequest,
  ContainerEvent,
  ContainerState,
  ContainerStatsSample,
  ContainerSummary,
  CreateContainerRequest,
  EventSubscription,
  ExecOutcome,
  ExecRequest,
  ResourceUsage,
  SandboxDriver,
  StatsSubscription,
} from "../driver";
import { LABEL_PROJECT } from "../driver";
import { SandboxError } from "../errors";
import { openExecStream } from "./exec-stream";
import type { KubernetesDriverConfig } from "./kubernetes-config";
import { apiStatus, withDeadline, wrapKubernetesError } from "./kubernetes-errors";
import { buildDefaultDenyPolicy, buildSandboxPod, checkLabels, DEFAULT_DENY_POLICY, LABEL_POOL, podNameFrom, SANDBOX_CONTAINER } from "./pod-spec";
import { validateKubernetesObject } from "./schema";

/** Annotation carrying the pool's descriptive name (pod names cannot change). */
export const ANNOTATION_NAME = "pantheon.sandbox/name";

export interface KubernetesDriverOptions {
  kubeConfig: KubeConfig;
  config: KubernetesDriverConfig;
  limits: SandboxLimits;
  log: Logger;
}

function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * exec has no user, working directory or environment of its own: it runs as the pod's user
 * (1000). The agent's sandbox-exec sets the directory (and no_new_privs) and `env` the variables.
 */
export function podCommand(request: { cmd: string[]; workdir?: string | undefined; env?: Record<string, string> | undefined }): string[] {
  const env = Object.entries(request.env ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || v.includes("\0")) throw new SandboxError("BAD_REQUEST", `invalid environment variable ${JSON.stringify(k)}`);
    return `${k}=${v}`;
  });
  if (request.workdir === undefined && env.length === 0) return [...request.cmd];
  return [
    AGENT_BINARY,
    "sandbox-exec",
    "--run-as",
    SANDBOX_USER,
    "--cwd",
    request.workdir ?? WORKSPACE_DIR,
    "--",
    ...(env.length ? ["env", ...env] : []),
    ...request.cmd,
  ];
}

/** The pod's phase and its sandbox container's state, as the engine's ContainerState. */
export function podState(pod: V1Pod): ContainerState {
  const status = pod.status?.containerStatuses?.find((c) => c.name === SANDBOX_CONTAINER);
  const terminated = status?.state?.terminated;
  return {
    id: pod.metadata?.name ?? "",
    name: pod.metadata?.annotations?.[ANNOTATION_NAME] ?? pod.metadata?.name ?? "",
    running: pod.status?.phase === "Running" && status?.state?.running !== undefined && !pod.metadata?.deletionTimestamp,
    oomKilled: terminated?.reason === "OOMKilled",
    exitCode: terminated?.exitCode ?? null,
    labels: { ...pod.metadata?.labels },
  };
}

export class KubernetesDriver implements SandboxDriver {
  readonly kind = "kubernetes";
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly version: VersionApi;
  private policyReady = false;

  constructor(private readonly options: KubernetesDriverOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.networking = options.kubeConfig.makeApiClient(NetworkingV1Api);
    this.version = options.kubeConfig.makeApiClient(VersionApi);
  }

  private get namespace(): string {
    return this.options.config.namespace;
  }

  private call<T>(what: string, run: () => Promise<T>): Promise<T> {
    return withDeadline(run(), this.options.config.requestTimeoutMs, what).catch((err: unknown) => {
      throw wrapKubernetesError(err, what);
    });
  }

  /** Reachability, then the namespace's default-deny policy (checked once per driver). */
  async ping(): Promise<void> {
    await this.call("version", () => this.version.getCode());
    if (!this.policyReady) await this.ensureDefaultDeny();
  }

  /**
   * The sandbox namespace must carry the default-deny policy before any pod runs in it. The
   * deployment applies it (deploy/kubernetes/sandbox-networkpolicy.yaml) and lets the app only
   * read it; without that, the driver creates it (409 = another replica was first). Missing and
   * not creatable: the engine refuses to serve rather than run sandboxes on an open network.
   */
  async ensureDefaultDeny(): Promise<void> {
    const { requestTimeoutMs } = this.options.config;
    try {
      await withDeadline(
        this.networking.readNamespacedNetworkPolicy({ name: DEFAULT_DENY_POLICY, namespace: this.namespace }),
        requestTimeoutMs,
        "read network policy",
      );
      this.policyReady = true;
      return;
    } catch (err) {
      const status = apiStatus(err);
      if (status !== 404 && status !== 403) throw wrapKubernetesError(err, "read network policy");
    }
    const body = buildDefaultDenyPolicy(this.namespace);
    validateKubernetesObject(body);
    try {
      await withDeadline(this.networking.createNamespacedNetworkPolicy({ namespace: this.namespace, body }), requestTimeoutMs, "create network policy");
      this.options.log.info({ namespace: this.namespace }, "default-deny network policy created");
    } catch (err) {
      const status = apiStatus(err);
      if (status === 403)
        throw new SandboxError(
          "NOT_READY",
          `namespace ${this.namespace} has no NetworkPolicy ${DEFAULT_DENY_POLICY} and this service account may not create it: apply deploy/kubernetes/sandbox-networkpolicy.yaml`,
          { cause: err },
        );
      if (status !== 409) throw wrapKubernetesError(err, "create network policy");
    }
    this.policyReady = true;
  }

  /** Images are pulled by each node's kubelet: whether one exists is known only when a pod starts. */
  hasImage(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async create(request: CreateContainerRequest): Promise<string> {
    const name = podNameFrom(request.name ?? "pantheon-sandbox", randomBytes(3).toString("hex"));
    const { config } = this.options;
    const pod = buildSandboxPod({
      name,
      namespace: this.namespace,
      image: request.image,
      limits: this.options.limits,
      labels: request.labels,
      pool: request.labels[LABEL_PROJECT] === undefined ? "warm" : "claimed",
      runtimeClassName: config.runtimeClassName,
      seccomp: config.seccompLocalhostProfile ? { type: "Localhost", localhostProfile: config.seccompLocalhostProfile } : { type: "RuntimeDefault" },
      imagePullPolicy: config.imagePullPolicy,
      env: request.env,
    });
    pod.metadata!.annotations = { [ANNOTATION_NAME]: request.name ?? name };
    // A spec bug fails here with the field's path, before the API server sees it.
    validateKubernetesObject(pod);
    await this.call("create pod", () => this.core.createNamespacedPod({ namespace: this.namespace, body: pod }));
    this.options.log.debug({ containerId: name, image: request.image }, "pod created");
    return name;
  }

  /** Waits until the pod runs and is ready; a pod that fails or never gets there is an error (the pool deletes it). */
  async start(id: string): Promise<void> {
    const deadline = Date.now() + this.options.config.podReadyTimeoutMs;
    for (;;) {
      const pod = await this.readPod(id);
      if (!pod) throw new SandboxError("CONTAINER_LOST", `pod ${id} vanished while starting`);
      const phase = pod.status?.phase;
      if (phase === "Failed" || phase === "Succeeded") throw new SandboxError("CONTAINER_LOST", `pod ${id} ended while starting (${phase})`);
      const ready = pod.status?.containerStatuses?.find((c) => c.name === SANDBOX_CONTAINER)?.ready === true;
      if (phase === "Running" && ready) return;
      if (Date.now() >= deadline) {
        const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
        throw new SandboxError(
          "TIMEOUT",
          `pod ${id} not ready after ${this.options.config.podReadyTimeoutMs} ms (phase ${phase ?? "unknown"}${waiting?.reason ? `, ${waiting.reason}` : ""})`,
        );
      }
      await sleep(this.options.config.pollIntervalMs);
    }
  }

  private async readPod(id: string): Promise<V1Pod | null> {
    try {
      return await withDeadline(this.core.readNamespacedPod({ name: id, namespace: this.namespace }), this.options.config.requestTimeoutMs, "read pod");
    } catch (err) {
      if (apiStatus(err) === 404) return null;
      throw wrapKubernetesError(err, "read pod");
    }
  }

  async exec(id: string, request: ExecRequest): Promise<ExecOutcome> {
    if (request.signal?.aborted) return { exitCode: null };
    const exec = await this.openExec(id, { cmd: request.cmd, workdir: request.workdir, env: request.env, tty: false });
    const onAbort = () => exec.detach();
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      exec.stdout.on("data", (chunk: Buffer) => request.onOutput?.("stdout", chunk));
      exec.stderr.on("data", (chunk: Buffer) => request.onOutput?.("stderr", chunk));
      if (request.stdin === undefined) exec.stdin.end();
      else if (Buffer.isBuffer(request.stdin)) exec.stdin.end(request.stdin);
      else request.stdin.pipe(exec.stdin);
      const { exitCode } = await exec.exited;
      return { exitCode: request.signal?.aborted ? null : exitCode };
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Runs as the pod's user (1000) whatever `user` says: Kubernetes exec cannot change it. */
  attach(id: string, request: AttachRequest): Promise<AttachedExec> {
    return this.openExec(id, { cmd: request.cmd, workdir: request.workdir, env: request.env, tty: request.tty === true }).then(async (exec) => {
      if (request.tty && request.cols && request.rows) await exec.resize(request.cols, request.rows);
      return exec;
    });
  }

  private async openExec(
    id: string,
    request: { cmd: string[]; workdir?: string | undefined; env?: Record<string, string> | undefined; tty: boolean },
  ): Promise<AttachedExec> {
    try {
      return await withDeadline(
        openExecStream(this.options.kubeConfig, {
          namespace: this.namespace,
          pod: id,
          container: SANDBOX_CONTAINER,
          command: podCommand(request),
          tty: request.tty,
        }),
        this.options.config.requestTimeoutMs,
        "exec",
      );
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (status === 404 || status === 400) throw new SandboxError("CONTAINER_LOST", `pod ${id} cannot exec: ${(err as Error).message}`, { cause: err });
      throw wrapKubernetesError(err, "exec");
    }
  }

  /** Kubernetes has no per-exec memory peak or cgroup counters through the API (metrics-server is coarse). */
  usage(): Promise<ResourceUsage | null> {
    return Promise.resolve(null);
  }

  resetMemoryPeak(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async inspect(id: string): Promise<ContainerState | null> {
    const pod = await this.readPod(id);
    return pod ? podState(pod) : null;
  }

  /** Idempotent: a pod already gone is success. No grace period: a sandbox has nothing to save. */
  async destroy(id: string): Promise<void> {
    try {
      await withDeadline(
        this.core.deleteNamespacedPod({ name: id, namespace: this.namespace, gracePeriodSeconds: 0 }),
        this.options.config.requestTimeoutMs,
        "delete pod",
      );
      this.options.log.debug({ containerId: id }, "pod deleted");
    } catch (err) {
      if (apiStatus(err) === 404) return;
      throw wrapKubernetesError(err, "delete pod");
    }
  }

  /** The pool renames a container when it binds it to a project: for a pod, that is the claim. */
  async rename(id: string, name: string): Promise<void> {
    try {
      await this.claim(id, { name });
    } catch (err) {
      // The pool does not wait for a rename (nor reads its failure): say it here.
      this.options.log.warn({ err, containerId: id }, "pod claim failed");
      throw err;
    }
  }

  /**
   * Marks a warm pod claimed (and for whom), by a replace that carries the resourceVersion read:
   * if another replica changed the pod in between, the API server answers 409 and the claim fails
   * rather than both replicas holding one pod. A pod already claimed for another project is refused.
   */
  async claim(id: string, claim: { name?: string; projectId?: string }): Promise<void> {
    const pod = await this.readPod(id);
    if (!pod) throw new SandboxError("CONTAINER_LOST", `pod ${id} is gone`);
    const labels = pod.metadata?.labels ?? {};
    const owner = labels[LABEL_PROJECT];
    if (claim.projectId !== undefined && owner !== undefined && owner !== claim.projectId)
      throw new SandboxError("CONTAINER_LOST", `pod ${id} is already claimed for another project`);
    pod.metadata!.labels = checkLabels({ ...labels, [LABEL_POOL]: "claimed", ...(claim.projectId === undefined ? {} : { [LABEL_PROJECT]: claim.projectId }) });
    if (claim.name !== undefined) pod.metadata!.annotations = { ...pod.metadata?.annotations, [ANNOTATION_NAME]: claim.name };
    try {
      await withDeadline(this.core.replaceNamespacedPod({ name: id, namespace: this.namespace, body: pod }), this.options.config.requestTimeoutMs, "claim pod");
    } catch (err) {
      if (apiStatus(err) === 409) throw new SandboxError("CONTAINER_LOST", `pod ${id} was changed by someone else while being claimed`, { cause: err });
      throw wrapKubernetesError(err, "claim pod");
    }
    this.options.log.info({ containerId: id, projectId: claim.projectId }, "pod claimed");
  }

  async listByLabel(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const list = await this.call("list pods", () => this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector(labels) }));
    return list.items.map((pod) => ({
      id: pod.metadata?.name ?? "",
      name: pod.metadata?.annotations?.[ANNOTATION_NAME] ?? pod.metadata?.name ?? "",
      labels: { ...pod.metadata?.labels },
      state: (pod.status?.phase ?? "unknown").toLowerCase(),
      createdAt: pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : 0,
    }));
  }

  /**
   * A watch of the namespace's pods with these labels: a sandbox container that terminates is a
   * "die" (preceded by "oom" when the kernel killed it for memory), a deleted pod a "destroy".
   * Each is reported once per pod, however many MODIFIED events repeat the same state.
   */
  async subscribeEvents(labels: Record<string, string>, onEvent: (event: ContainerEvent) => void): Promise<EventSubscription> {
    const died = new Set<string>();
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const watch = new Watch(this.options.kubeConfig);
    const controller = await this.call("watch pods", () =>
      watch.watch(
        `/api/v1/namespaces/${this.namespace}/pods`,
        { labelSelector: selector(labels) },
        (type: string, pod: V1Pod) => {
          const state = podState(pod);
          if (type === "DELETED") {
            onEvent({ type: "destroy", containerId: state.id, labels: state.labels, exitCode: state.exitCode });
            died.delete(state.id);
            return;
          }
          const terminated = pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded" || state.exitCode !== null;
          if (!terminated || died.has(state.id)) return;
          died.add(state.id);
          if (state.oomKilled) onEvent({ type: "oom", containerId: state.id, labels: state.labels, exitCode: state.exitCode });
          onEvent({ type: "die", containerId: state.id, labels: state.labels, exitCode: state.exitCode });
        },
        () => resolveClosed(),
      ),
    );
    return {
      closed,
      close: () => {
        controller.abort();
        resolveClosed();
      },
    };
  }

  /** No stats stream through the API server: the subscription stays open and silent until closed. */
  streamStats(_id: string, _onSample: (sample: ContainerStatsSample) => void): Promise<StatsSubscription> {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    return Promise.resolve({ closed, close: () => close() });
  }
}

// The SandboxDriver over the Kubernetes API: a pod per sandbox (pod-spec.ts), exec over the
// v5 WebSocket (exec-stream.ts), the sandbox namespace closed by a default-deny NetworkPolicy.
// The container id the engine sees is the pod's name. The pool's pre-created containers are
// pre-created pods labelled pantheon.pool=warm; binding one to a project claims it
// (pantheon.pool=claimed), a replace guarded by resourceVersion, so two app replicas racing
// for the same pod cannot both win.
import { randomBytes, randomUUID } from "node:crypto";
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
import { LABEL_INSTANCE, LABEL_PROJECT } from "../driver";
import { ClaimLostError, isSandboxError, SandboxError } from "../errors";
import { openExecStream } from "./exec-stream";
import type { KubernetesDriverConfig } from "./kubernetes-config";
import { apiStatus, isTransientKubernetesError, withDeadline, wrapKubernetesError } from "./kubernetes-errors";
import { buildDefaultDenyPolicy, buildSandboxPod, checkLabels, DEFAULT_DENY_POLICY, LABEL_POOL, podNameFrom, SANDBOX_CONTAINER } from "./pod-spec";
import { validateKubernetesObject } from "./schema";

/** Annotation carrying the pool's descriptive name (pod names cannot change). */
export const ANNOTATION_NAME = "pantheon.sandbox/name";
/**
 * A token unique to one claim() call: a claim whose answer was lost (timeout, 5xx after the write)
 * reads the pod again and knows its own claim from a peer's, even for the same project.
 */
export const ANNOTATION_CLAIM = "pantheon.sandbox/claim";
/** Replaces of one claim when the pod changed in between (the kubelet updates its status too). */
const CLAIM_ATTEMPTS = 5;

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

/**
 * RLIMIT_NPROC for sandbox processes (the agent's --child-nproc), the only process limit a pod
 * can carry: a pod spec has no pids limit (the kubelet's podPidsLimit is per node, for every pod).
 * RLIMIT_NPROC counts a uid's processes and threads in one kernel, so it is a per-sandbox limit
 * only where the pod has a kernel of its own (a RuntimeClass for gVisor or Kata): there the
 * policy's pids limit. On a shared kernel every pod's uid 1000 is one count: no limit here.
 */
export function childNprocFor(config: Pick<KubernetesDriverConfig, "childNproc" | "runtimeClassName">, limits: SandboxLimits): number {
  return config.childNproc ?? (config.runtimeClassName ? limits.pids : 0);
}

/** The agent's command with the pod's process limit added (other commands unchanged). */
export function withChildNproc(cmd: string[], nproc: number): string[] {
  const isAgent = cmd[0] === AGENT_BINARY && cmd[1] === "serve";
  return isAgent && nproc > 0 ? [...cmd, "--child-nproc", String(nproc)] : cmd;
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

  /**
   * An idempotent call, tried again (with backoff, `retryAttempts` in all) while the API server is
   * unreachable, overloaded or late; a refusal (4xx) is thrown at once. Raw errors come out.
   */
  private async retrying<T>(what: string, run: () => Promise<T>): Promise<T> {
    const { retryAttempts, retryBackoffMs, requestTimeoutMs } = this.options.config;
    for (let attempt = 1; ; attempt++) {
      try {
        return await withDeadline(run(), requestTimeoutMs, what);
      } catch (err) {
        if (attempt >= retryAttempts || !isTransientKubernetesError(err)) throw err;
        this.options.log.warn({ what, attempt, err: err instanceof Error ? err.message : String(err) }, "Kubernetes API call failed; trying again");
        await sleep(retryBackoffMs * 2 ** (attempt - 1));
      }
    }
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

  /**
   * Creates the pod under a name chosen here, so that trying again is idempotent: a create whose
   * answer was lost (deadline, 5xx) is sent again under the same name, and "already exists" with
   * our own labels and name is the first try having landed. Never two pods for one request; a
   * create that fails after its tries deletes that name in the background (it may have landed).
   */
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
    let sent = 0;
    try {
      await this.retrying("create pod", async () => {
        sent++;
        try {
          await this.core.createNamespacedPod({ namespace: this.namespace, body: pod });
        } catch (err) {
          if (sent > 1 && apiStatus(err) === 409 && (await this.isOurPod(name, pod))) return;
          throw err;
        }
      });
    } catch (err) {
      if (isTransientKubernetesError(err)) void this.destroy(name).catch(() => {});
      throw wrapKubernetesError(err, "create pod");
    }
    this.options.log.debug({ containerId: name, image: request.image, tries: sent }, "pod created");
    return name;
  }

  /** The pod under that name carries exactly the labels and name annotation we sent (a random suffix makes a stranger's unlikely). */
  private async isOurPod(name: string, sent: V1Pod): Promise<boolean> {
    const pod = await this.readPod(name);
    return (
      pod !== null &&
      JSON.stringify(pod.metadata?.labels) === JSON.stringify(sent.metadata?.labels) &&
      pod.metadata?.annotations?.[ANNOTATION_NAME] === sent.metadata?.annotations?.[ANNOTATION_NAME]
    );
  }

  /**
   * Waits until the pod runs and is ready, at most podReadyTimeoutMs; a pod that fails or never
   * gets there is an error saying what it waited on (the pool deletes the pod).
   */
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
      return await this.retrying("read pod", () => this.core.readNamespacedPod({ name: id, namespace: this.namespace }));
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
          command: podCommand({ ...request, cmd: withChildNproc(request.cmd, childNprocFor(this.options.config, this.options.limits)) }),
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

  /** Idempotent (tried again while the API server fails): a pod already gone is success. No grace period: a sandbox has nothing to save. */
  async destroy(id: string): Promise<void> {
    try {
      await this.retrying("delete pod", () => this.core.deleteNamespacedPod({ name: id, namespace: this.namespace, gracePeriodSeconds: 0 }));
      this.options.log.debug({ containerId: id }, "pod deleted");
    } catch (err) {
      if (apiStatus(err) === 404) return;
      throw wrapKubernetesError(err, "delete pod");
    }
  }

  /** A rename is cosmetic here (the pool claims through claim()): the descriptive name only. */
  async rename(id: string, name: string): Promise<void> {
    const pod = await this.readPod(id);
    if (!pod) throw new SandboxError("CONTAINER_LOST", `pod ${id} is gone`);
    pod.metadata!.annotations = { ...pod.metadata?.annotations, [ANNOTATION_NAME]: name };
    await this.call("rename pod", () => this.core.replaceNamespacedPod({ name: id, namespace: this.namespace, body: pod }));
  }

  /**
   * Marks a warm pod claimed for a project by a replace carrying the resourceVersion read: if
   * anything changed the pod in between (another replica's claim, the kubelet's status), the API
   * server answers 409 and the pod is read again: claimed by someone else is a ClaimLostError,
   * anything else is tried again. A try whose answer was lost (deadline, 5xx) is judged by the
   * next read too: our own token on the pod means it landed. So a claim is never lost silently
   * and never taken twice.
   */
  async claim(id: string, claim: { projectId: string; name: string; instanceId: string }): Promise<void> {
    const token = randomUUID();
    let lastError: unknown;
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const pod = await this.readPod(id);
      if (!pod || pod.metadata?.deletionTimestamp) throw new ClaimLostError(id, "the pod is gone");
      const labels = pod.metadata?.labels ?? {};
      const annotations = pod.metadata?.annotations ?? {};
      if (annotations[ANNOTATION_CLAIM] === token) {
        lastError = undefined;
        break;
      }
      if (labels[LABEL_POOL] === "claimed")
        throw new ClaimLostError(
          id,
          labels[LABEL_PROJECT] === claim.projectId ? "claimed by someone else for this project" : "already claimed for another project",
        );
      pod.metadata!.labels = checkLabels({ ...labels, [LABEL_POOL]: "claimed", [LABEL_PROJECT]: claim.projectId, [LABEL_INSTANCE]: claim.instanceId });
      pod.metadata!.annotations = { ...annotations, [ANNOTATION_NAME]: claim.name, [ANNOTATION_CLAIM]: token };
      try {
        await withDeadline(
          this.core.replaceNamespacedPod({ name: id, namespace: this.namespace, body: pod }),
          this.options.config.requestTimeoutMs,
          "claim pod",
        );
        lastError = undefined;
        break;
      } catch (err) {
        const status = apiStatus(err);
        if (status === 404) throw new ClaimLostError(id, "the pod is gone");
        if (status !== 409 && !isTransientKubernetesError(err)) throw wrapKubernetesError(err, "claim pod");
        lastError = err;
        this.options.log.info({ containerId: id, status, attempt }, "pod changed or unanswered while being claimed; reading it again");
        if (status !== 409) await sleep(this.options.config.retryBackoffMs * 2 ** (attempt - 1));
      }
    }
    if (lastError !== undefined) {
      const err = wrapKubernetesError(lastError, "claim pod");
      throw new SandboxError(isSandboxError(err) ? err.code : "INTERNAL", `pod ${id} could not be claimed in ${CLAIM_ATTEMPTS} tries: ${err.message}`, {
        cause: lastError,
      });
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

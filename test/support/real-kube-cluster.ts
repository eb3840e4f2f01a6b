// A real, small Kubernetes control plane for the opt-in test (npm run test:k8s): etcd, the real
// kube-apiserver (TLS, client certificates, ServiceAccount tokens, RBAC and the default admission
// plugins, Pod Security included) and kwok as the one node. kwok plays the kubelet: it marks pods
// ready by its stages and serves exec by running the command as a local process (ClusterExec,
// as uid 1000), behind the API server's own exec path (API server → node's kubelet port → kwok).
// kwok runs in a private mount namespace where /opt/pantheon/bin holds the host's agent build and
// /workspace is a tmpfs owned by uid 1000, so a pod's exec finds the paths our images have.
// What is not here: kube-scheduler and kube-controller-manager. The test binds pods to the node
// itself (StandInScheduler below) and creates the ServiceAccount the controller would.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, KubernetesObjectApi, loadAllYaml, Watch, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { WORKSPACE_DIR } from "@/server/sandbox/container-spec";
import { SANDBOX_GID, SANDBOX_UID } from "@/security/policy";
import { makeKubePki, type KubePki } from "./real-kube-pki";

export const KWOK_NODE = "kwok-node-0";

export interface RealKubeClusterOptions {
  binaries: { etcd: string; "kube-apiserver": string; kwok: string };
  ports: { etcdClient: number; etcdPeer: number; apiserver: number; kwok: number };
  /** The host's build of pantheon-agent, served at /opt/pantheon/bin/pantheon-agent to execs. */
  agentBinary: string;
  /** kwok's stages and ClusterExec (kwok-config.ts). */
  kwokConfig: string;
  /** Manifests applied as the admin before anything runs (deploy/kubernetes/*.yaml). */
  manifests: string[];
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export class RealKubeCluster {
  private readonly children = new Map<string, ChildProcess>();
  private scheduler: StandInScheduler | null = null;
  readonly dir: string;
  readonly pki: KubePki;

  private constructor(private readonly options: RealKubeClusterOptions) {
    this.dir = mkdtempSync(join(tmpdir(), "pantheon-k8s-"));
    this.pki = makeKubePki(this.dir);
  }

  static async start(options: RealKubeClusterOptions): Promise<RealKubeCluster> {
    const cluster = new RealKubeCluster(options);
    try {
      await cluster.boot();
      return cluster;
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  get server(): string {
    return `https://127.0.0.1:${this.options.ports.apiserver}`;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private run(name: string, argv: string[]): ChildProcess {
    const out = openSync(join(this.dir, `${name}.log`), "a");
    const [cmd, ...args] = argv;
    // Nothing of the runner's environment but PATH and HOME: kwok hands its own to every exec.
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.dir } as unknown as NodeJS.ProcessEnv;
    const child = spawn(cmd!, args, { stdio: ["ignore", out, out], env });
    closeSync(out);
    this.children.set(name, child);
    child.once("exit", (code, signal) => this.log(`${name} exited (${signal ?? code})`));
    return child;
  }

  logOf(name: string): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), "utf8");
    } catch {
      return "";
    }
  }

  private async boot(): Promise<void> {
    const { binaries, ports } = this.options;
    const etcdData = join(this.dir, "etcd");
    this.run("etcd", [
      binaries.etcd,
      "--name=pantheon-test",
      `--data-dir=${etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=pantheon-test=http://127.0.0.1:${ports.etcdPeer}`,
      // A throwaway store on a shared disk: no fsync per write.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await this.waitFor("etcd", async () => (await fetch(`http://127.0.0.1:${ports.etcdClient}/health`)).ok);
    this.startApiServer();
    await this.waitForApiServer();
    this.log(`kube-apiserver ready at ${this.server}`);
    await this.apply(this.options.manifests);
    await this.createNodeAndServiceAccount();
    this.startKwok();
    this.scheduler = await StandInScheduler.start(this.adminKubeConfig(), KWOK_NODE, (line) => this.log(line));
    await this.waitFor("kwok node ready", async () => {
      const node = await this.adminKubeConfig().makeApiClient(CoreV1Api).readNode({ name: KWOK_NODE });
      return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
    });
  }

  startApiServer(): void {
    const { binaries, ports } = this.options;
    const pki = this.pki;
    this.run("kube-apiserver", [
      binaries["kube-apiserver"],
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${ports.apiserver}`,
      `--cert-dir=${join(this.dir, "apiserver-certs")}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.96.0.0/24",
      // The "kubernetes" Service's endpoint would be 127.0.0.1, which Endpoints refuse.
      "--endpoint-reconciler-type=none",
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      `--kubelet-certificate-authority=${pki.caCert}`,
      "--kubelet-preferred-address-types=InternalIP",
      "--allow-privileged=false",
      "--profiling=false",
      "--v=1",
    ]);
  }

  async waitForApiServer(): Promise<void> {
    await this.waitFor("kube-apiserver /readyz", () => this.readyz(), 180_000);
  }

  /** GET /readyz with the admin's client certificate. */
  private readyz(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        `${this.server}/readyz`,
        { ca: readFileSync(this.pki.caCert), cert: readFileSync(this.pki.adminCert), key: readFileSync(this.pki.adminKey), timeout: 2_000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  }

  private async waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms; logs in ${this.dir}`);
      await sleep(200);
    }
  }

  adminKubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "test", server: this.server, caFile: this.pki.caCert }],
      users: [{ name: "admin", certFile: this.pki.adminCert, keyFile: this.pki.adminKey }],
      contexts: [{ name: "admin", cluster: "test", user: "admin" }],
      currentContext: "admin",
    });
    return kc;
  }

  /** A kubeconfig file for kwok (it reads one from disk). */
  private adminKubeConfigFile(): string {
    const file = join(this.dir, "admin.kubeconfig");
    writeFileSync(file, this.adminKubeConfig().exportConfig());
    return file;
  }

  /** The app's identity as deployed: a TokenRequest token of the pantheon-app ServiceAccount (deploy/kubernetes/rbac.yaml). */
  async serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
    const core = this.adminKubeConfig().makeApiClient(CoreV1Api);
    const token = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "test", server: this.server, caFile: this.pki.caCert }],
      users: [{ name, token: token.status?.token ?? "" }],
      contexts: [{ name, cluster: "test", user: name }],
      currentContext: name,
    });
    return kc;
  }

  private async apply(files: string[]): Promise<void> {
    const client = KubernetesObjectApi.makeApiClient(this.adminKubeConfig());
    for (const file of files)
      for (const object of loadAllYaml(readFileSync(file, "utf8")) as KubernetesObject[]) {
        if (!object) continue;
        await client.create(object);
        this.log(`applied ${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`);
      }
  }

  /** What kube-controller-manager and a node's registration would have made. */
  private async createNodeAndServiceAccount(): Promise<void> {
    const core = this.adminKubeConfig().makeApiClient(CoreV1Api);
    await core.createNode({
      body: {
        metadata: {
          name: KWOK_NODE,
          annotations: { "kwok.x-k8s.io/node": "fake" },
          labels: { "kubernetes.io/hostname": KWOK_NODE, type: "kwok", "pantheon.sandbox/runtime": "gvisor" },
        },
        spec: {},
      },
    });
    const namespaces = await core.listNamespace();
    for (const ns of namespaces.items) {
      const name = ns.metadata?.name;
      if (!name) continue;
      await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: "default" } } }).catch(() => {});
    }
  }

  private startKwok(): void {
    const { binaries, ports } = this.options;
    const config = join(this.dir, "kwok.yaml");
    writeFileSync(config, this.options.kwokConfig);
    // The mount point only (an empty directory), as the fake API server's pods make it.
    mkdirSync(WORKSPACE_DIR, { recursive: true });
    const inNamespace = [
      "mount -t tmpfs -o mode=755 tmpfs /opt",
      "mkdir -p /opt/pantheon/bin",
      'cp "$0" /opt/pantheon/bin/pantheon-agent',
      `mount -t tmpfs -o mode=700,uid=${SANDBOX_UID},gid=${SANDBOX_GID} tmpfs ${WORKSPACE_DIR}`,
      'exec "$@"',
    ].join(" && ");
    this.run("kwok", [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      inNamespace,
      this.options.agentBinary,
      binaries.kwok,
      `--kubeconfig=${this.adminKubeConfigFile()}`,
      `--config=${config}`,
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      "--node-ip=127.0.0.1",
      `--node-port=${ports.kwok}`,
      `--server-address=127.0.0.1:${ports.kwok}`,
      `--tls-cert-file=${this.pki.kwokCert}`,
      `--tls-private-key-file=${this.pki.kwokKey}`,
    ]);
  }

  /** SIGSTOP/SIGCONT: an API server that accepts connections and answers nothing. */
  pauseApiServer(paused: boolean): void {
    this.children.get("kube-apiserver")?.kill(paused ? "SIGSTOP" : "SIGCONT");
  }

  async stopApiServer(): Promise<void> {
    await this.stop("kube-apiserver");
  }

  private async stop(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child) return;
    child.kill("SIGCONT");
    child.kill("SIGTERM");
    if (!(await waitExit(child, 10_000))) {
      child.kill("SIGKILL");
      await waitExit(child, 5_000);
    }
    this.children.delete(name);
  }

  /** Reverse order of start; the directory (certificates, etcd data, logs) goes last. */
  async close(opts: { keepDir?: boolean } = {}): Promise<void> {
    this.scheduler?.close();
    for (const name of ["kwok", "kube-apiserver", "etcd"]) await this.stop(name);
    if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * kube-scheduler's one job here: bind every pod that has no node to the kwok node (POST
 * pods/binding, as the scheduler does). No filtering, no scoring: one node.
 */
export class StandInScheduler {
  private controller: AbortController | null = null;
  private closed = false;

  private constructor(
    private readonly kc: KubeConfig,
    private readonly node: string,
    private readonly log: (line: string) => void,
  ) {}

  static async start(kc: KubeConfig, node: string, log: (line: string) => void): Promise<StandInScheduler> {
    const scheduler = new StandInScheduler(kc, node, log);
    await scheduler.watch();
    return scheduler;
  }

  private async watch(): Promise<void> {
    if (this.closed) return;
    const core = this.kc.makeApiClient(CoreV1Api);
    const bind = (pod: V1Pod) => {
      const name = pod.metadata?.name;
      const namespace = pod.metadata?.namespace;
      if (!name || !namespace || pod.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
      core
        .createNamespacedPodBinding({ name, namespace, body: { metadata: { name }, target: { kind: "Node", name: this.node } } })
        .catch((err: unknown) => this.log(`stand-in scheduler: binding ${namespace}/${name} failed: ${(err as Error).message}`));
    };
    this.controller = await new Watch(this.kc).watch(
      "/api/v1/pods",
      { fieldSelector: "spec.nodeName=" },
      (type: string, pod: V1Pod) => {
        if (type === "ADDED") bind(pod);
      },
      () => {
        // The API server ended the watch (timeout, restart): watch again while open.
        if (!this.closed) void sleep(500).then(() => this.watch().catch(() => {}));
      },
    );
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
  }
}

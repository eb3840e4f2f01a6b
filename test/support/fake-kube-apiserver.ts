// An in-process stand-in for kube-apiserver, for tests of the Kubernetes driver without a
// cluster. It keeps pods and network policies in memory, records every request, validates every
// created or replaced object against the official OpenAPI schema (422 Invalid, as the real one
// does), enforces resourceVersion on replace (409 Conflict), streams watches as JSON lines, and
// answers pod exec on a WebSocket with the v5.channel.k8s.io subprotocol, bridging the channels
// to a process the test supplies (the real Go agent, or any program). What it does NOT model:
// scheduling, admission (Pod Security), NetworkPolicy enforcement, RBAC, unknown-field checks.
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex, Readable, Writable } from "node:stream";
import type { V1Pod, V1Status } from "@kubernetes/client-node";
import { KubeConfig } from "@kubernetes/client-node";
import { WebSocketServer, type WebSocket } from "ws";
import { validateKubernetesObject } from "@/server/sandbox/kubernetes/schema";

export const FAKE_TOKEN = "fake-apiserver-token";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  authorization: string | undefined;
  body?: unknown;
  /** For exec: the subprotocols the client offered. */
  subprotocols?: string[];
  status: number;
}

/** What the fake runs for an exec: a process with pipes (ChildProcess fits). */
export interface FakeExecProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code (null = killed). */
  exited: Promise<number | null>;
  kill(): void;
}

export interface FakeExecRequest {
  namespace: string;
  pod: V1Pod;
  container: string;
  command: string[];
  tty: boolean;
}

export interface FakeApiServerOptions {
  /** Ports tried in order (each test file takes the first free one of the worktree's range). */
  ports: number[];
  onExec?: (request: FakeExecRequest) => FakeExecProcess;
  /** Requests answered 403 Forbidden, matched against "METHOD /path" (an RBAC Role that lacks them). */
  forbidden?: RegExp[];
  /**
   * How a created pod becomes Running and ready: at once (default), never, by the test's call, or
   * after a delay (standing in for scheduling, an image pull and the container's start).
   */
  readiness?: "immediate" | "never" | "manual" | { afterMs: number };
}

type WatchSink = { namespace: string; selector: Map<string, string | null>; res: http.ServerResponse };

const PODS = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/pods(?:\/([a-z0-9.-]+))?(\/exec)?$/;
const POLICIES = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([a-z0-9-]+)\/networkpolicies(?:\/([a-z0-9.-]+))?$/;

function status(code: number, reason: string, message: string): V1Status {
  return { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", code, reason, message };
}

/** Equality selectors and bare keys only ("a=b,c"), which is all the driver sends. */
export function parseLabelSelector(selector: string | undefined): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const term of (selector ?? "").split(",").filter(Boolean)) {
    const m = /^([A-Za-z0-9._/-]+)(?:=([A-Za-z0-9._-]*))?$/.exec(term);
    if (!m) throw new Error(`unsupported label selector ${term}`);
    out.set(m[1]!, m[2] ?? null);
  }
  return out;
}

function matches(labels: Record<string, string> | undefined, selector: Map<string, string | null>): boolean {
  for (const [k, v] of selector) {
    const have = labels?.[k];
    if (have === undefined || (v !== null && have !== v)) return false;
  }
  return true;
}

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly pods = new Map<string, V1Pod>();
  readonly policies = new Map<string, unknown>();
  /** Refuse the next N requests with this status (an API server that is down or overloaded). */
  failNext: { count: number; code: number } = { count: 0, code: 503 };
  /**
   * Runs once before the next request matching "METHOD /path" is handled: what another client
   * (a peer replica, the kubelet) changed in between, so the request meets the changed state.
   */
  readonly beforeNext: { match: RegExp; run: (fake: FakeKubeApiServer) => void }[] = [];
  /**
   * The next N requests matching "METHOD /path" are carried out, but answered only after `ms`:
   * an API server whose answer is lost (the client's deadline passes, the write has landed).
   */
  stallNext: { count: number; match: RegExp; ms: number } = { count: 0, match: /$^/, ms: 0 };
  private revision = 1;
  private readonly watchers = new Set<WatchSink>();
  private readonly execs = new Map<string, Set<FakeExecProcess>>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has("v5.channel.k8s.io") ? "v5.channel.k8s.io" : false),
  });
  port = 0;

  private constructor(private readonly options: FakeApiServerOptions) {
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(options: FakeApiServerOptions): Promise<FakeKubeApiServer> {
    const fake = new FakeKubeApiServer(options);
    for (const port of options.ports) {
      const ok = await new Promise<boolean>((resolve) => {
        fake.server.once("error", () => resolve(false));
        fake.server.listen(port, "127.0.0.1", () => resolve(true));
      });
      if (ok) {
        fake.port = (fake.server.address() as AddressInfo).port;
        return fake;
      }
    }
    throw new Error(`no free port among ${options.ports.join(", ")}`);
  }

  /** A KubeConfig pointing at this server with a bearer token, as a real one would. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "fake", server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: "pantheon", token: FAKE_TOKEN }],
      contexts: [{ name: "fake", cluster: "fake", user: "pantheon", namespace: "default" }],
      currentContext: "fake",
    });
    return kc;
  }

  /** Makes a pod Running and ready (readiness "manual"). */
  markReady(namespace: string, name: string): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    this.update(pod, (p) => {
      p.status = {
        phase: "Running",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: (p.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? "",
          imageID: "",
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: new Date() } },
        })),
      };
    });
  }

  /** Changes a pod's labels as another client would (a peer replica claiming it): a new resourceVersion. */
  relabel(namespace: string, name: string, labels: Record<string, string>): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    this.update(pod, (p) => (p.metadata = { ...p.metadata, labels: { ...p.metadata?.labels, ...labels } }));
  }

  /** The container ends as if OOM-killed or crashed: its execs die, the pod turns Failed. */
  killPod(namespace: string, name: string, reason = "OOMKilled", exitCode = 137): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    for (const p of this.execs.get(`${namespace}/${name}`) ?? []) p.kill();
    this.update(pod, (p) => {
      p.status = {
        phase: "Failed",
        containerStatuses: (p.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? "",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, reason } },
        })),
      };
    });
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    for (const set of this.execs.values()) for (const p of set) p.kill();
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(req: http.IncomingMessage, url: URL, statusCode: number, extra: Partial<RecordedRequest> = {}): void {
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    this.requests.push({ method: req.method ?? "?", path: url.pathname, query, authorization: req.headers.authorization, status: statusCode, ...extra });
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, url: URL, code: number, body: unknown, requestBody?: unknown): void {
    this.record(req, url, code, requestBody === undefined ? {} : { body: requestBody });
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private nextVersion(): string {
    return String(++this.revision);
  }

  private update(pod: V1Pod, change: (p: V1Pod) => void): void {
    change(pod);
    pod.metadata!.resourceVersion = this.nextVersion();
    this.emit("MODIFIED", pod);
  }

  private emit(type: "ADDED" | "MODIFIED" | "DELETED", pod: V1Pod): void {
    for (const w of this.watchers) {
      if (w.namespace !== pod.metadata?.namespace || !matches(pod.metadata?.labels, w.selector)) continue;
      w.res.write(`${JSON.stringify({ type, object: pod })}\n`);
    }
  }

  private async readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    let body: unknown;
    try {
      body = req.method === "POST" || req.method === "PUT" ? await this.readBody(req) : undefined;
    } catch {
      return this.send(req, res, url, 400, status(400, "BadRequest", "body is not JSON"));
    }
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) return this.send(req, res, url, 401, status(401, "Unauthorized", "Unauthorized"), body);
    if (this.options.forbidden?.some((r) => r.test(`${req.method ?? ""} ${url.pathname}`)))
      return this.send(req, res, url, 403, status(403, "Forbidden", `forbidden: ${req.method ?? ""} ${url.pathname}`), body);
    if (this.failNext.count > 0) {
      this.failNext.count--;
      return this.send(
        req,
        res,
        url,
        this.failNext.code,
        status(this.failNext.code, "ServiceUnavailable", "the server is currently unable to handle the request"),
        body,
      );
    }
    const line = `${req.method ?? ""} ${url.pathname}`;
    const hook = this.beforeNext.findIndex((h) => h.match.test(line));
    if (hook >= 0) this.beforeNext.splice(hook, 1)[0]!.run(this);
    if (this.stallNext.count > 0 && this.stallNext.match.test(line)) {
      this.stallNext.count--;
      const { ms } = this.stallNext;
      const answer = res.end.bind(res);
      // The operation happens now; its answer leaves later (or never, if the client hung up).
      res.end = ((...args: Parameters<typeof res.end>) => {
        setTimeout(() => answer(...args), ms).unref();
        return res;
      }) as typeof res.end;
    }
    if (url.pathname === "/version" && req.method === "GET") return this.send(req, res, url, 200, { major: "1", minor: "36", gitVersion: "v1.36.0-fake" });

    const pods = PODS.exec(url.pathname);
    if (pods && !pods[3]) return this.handlePods(req, res, url, pods[1]!, pods[2], body);
    const policies = POLICIES.exec(url.pathname);
    if (policies) return this.handlePolicies(req, res, url, policies[1]!, policies[2], body);
    return this.send(req, res, url, 404, status(404, "NotFound", `the server could not find the requested resource ${url.pathname}`), body);
  }

  private invalid(kind: string, name: string, err: unknown): V1Status {
    const message = err instanceof Error ? err.message : String(err);
    return { ...status(422, "Invalid", `${kind} "${name}" is invalid: ${message}`), details: { name, kind } };
  }

  private handlePods(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string, name: string | undefined, body: unknown): void {
    const key = (n: string) => `${namespace}/${n}`;
    if (req.method === "POST" && !name) {
      const pod = body as V1Pod;
      const podName = pod?.metadata?.name ?? "";
      try {
        validateKubernetesObject(pod);
        if (pod.metadata?.namespace && pod.metadata.namespace !== namespace) throw new Error("metadata.namespace does not match the request");
      } catch (err) {
        return this.send(req, res, url, 422, this.invalid("Pod", podName, err), body);
      }
      if (this.pods.has(key(podName))) return this.send(req, res, url, 409, status(409, "AlreadyExists", `pods "${podName}" already exists`), body);
      const stored: V1Pod = structuredClone(pod);
      stored.metadata = { ...stored.metadata, namespace, uid: randomUUID(), resourceVersion: this.nextVersion(), creationTimestamp: new Date() };
      stored.status = { phase: "Pending" };
      this.pods.set(key(podName), stored);
      this.emit("ADDED", stored);
      this.send(req, res, url, 201, stored, body);
      const readiness = this.options.readiness ?? "immediate";
      const ready = () => this.pods.has(key(podName)) && this.markReady(namespace, podName);
      if (readiness === "immediate") setImmediate(ready);
      else if (typeof readiness === "object") setTimeout(ready, readiness.afterMs).unref();
      return;
    }
    if (req.method === "GET" && !name) {
      let selector: Map<string, string | null>;
      try {
        selector = parseLabelSelector(url.searchParams.get("labelSelector") ?? undefined);
      } catch (err) {
        return this.send(req, res, url, 400, status(400, "BadRequest", String(err)));
      }
      if (url.searchParams.get("watch") === "true") {
        this.record(req, url, 200);
        res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
        res.flushHeaders();
        const sink: WatchSink = { namespace, selector, res };
        this.watchers.add(sink);
        res.on("close", () => this.watchers.delete(sink));
        return;
      }
      const items = [...this.pods.values()].filter((p) => p.metadata?.namespace === namespace && matches(p.metadata?.labels, selector));
      return this.send(req, res, url, 200, { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: String(this.revision) }, items });
    }
    if (!name) return this.send(req, res, url, 405, status(405, "MethodNotAllowed", "method not allowed"), body);
    const pod = this.pods.get(key(name));
    if (!pod) return this.send(req, res, url, 404, status(404, "NotFound", `pods "${name}" not found`), body);
    if (req.method === "GET") return this.send(req, res, url, 200, pod);
    if (req.method === "PUT") {
      const next = body as V1Pod;
      try {
        validateKubernetesObject(next);
      } catch (err) {
        return this.send(req, res, url, 422, this.invalid("Pod", name, err), body);
      }
      if (next.metadata?.resourceVersion !== pod.metadata?.resourceVersion)
        return this.send(
          req,
          res,
          url,
          409,
          status(
            409,
            "Conflict",
            `Operation cannot be fulfilled on pods "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
          body,
        );
      if (JSON.stringify(next.spec?.containers) !== JSON.stringify(pod.spec?.containers))
        return this.send(
          req,
          res,
          url,
          422,
          this.invalid("Pod", name, new Error("spec: Forbidden: pod updates may not change fields other than image, labels and annotations")),
          body,
        );
      this.update(pod, (p) => {
        p.metadata = { ...p.metadata, labels: next.metadata?.labels ?? {}, annotations: next.metadata?.annotations ?? {} };
      });
      return this.send(req, res, url, 200, pod, body);
    }
    if (req.method === "DELETE") {
      this.pods.delete(key(name));
      for (const p of this.execs.get(key(name)) ?? []) p.kill();
      pod.metadata!.deletionTimestamp = new Date();
      pod.metadata!.resourceVersion = this.nextVersion();
      this.emit("DELETED", pod);
      return this.send(req, res, url, 200, pod, body);
    }
    return this.send(req, res, url, 405, status(405, "MethodNotAllowed", "method not allowed"), body);
  }

  private handlePolicies(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string, name: string | undefined, body: unknown): void {
    if (req.method === "POST" && !name) {
      const policy = body as { metadata?: { name?: string } };
      const policyName = policy?.metadata?.name ?? "";
      try {
        validateKubernetesObject(policy);
      } catch (err) {
        return this.send(req, res, url, 422, this.invalid("NetworkPolicy", policyName, err), body);
      }
      const key = `${namespace}/${policyName}`;
      if (this.policies.has(key))
        return this.send(req, res, url, 409, status(409, "AlreadyExists", `networkpolicies.networking.k8s.io "${policyName}" already exists`), body);
      const stored = { ...structuredClone(policy), metadata: { ...policy.metadata, namespace, uid: randomUUID(), resourceVersion: this.nextVersion() } };
      this.policies.set(key, stored);
      return this.send(req, res, url, 201, stored, body);
    }
    if (req.method === "GET" && name) {
      const stored = this.policies.get(`${namespace}/${name}`);
      if (!stored) return this.send(req, res, url, 404, status(404, "NotFound", `networkpolicies.networking.k8s.io "${name}" not found`));
      return this.send(req, res, url, 200, stored);
    }
    return this.send(req, res, url, 405, status(405, "MethodNotAllowed", "method not allowed"), body);
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://fake");
    const offered = (req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const refuse = (code: number, message: string) => {
      this.record(req, url, code, { subprotocols: offered });
      socket.end(
        `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify(status(code, "Refused", message))}`,
      );
    };
    const m = PODS.exec(url.pathname);
    if (!m || !m[2] || !m[3]) return refuse(404, "not an exec path");
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) return refuse(401, "Unauthorized");
    const [namespace, name] = [m[1]!, m[2]];
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) return refuse(404, `pods "${name}" not found`);
    if (pod.status?.phase !== "Running") return refuse(400, `pod ${name} is not running`);
    if (!offered.includes("v5.channel.k8s.io")) return refuse(400, "this fake speaks only v5.channel.k8s.io");
    const command = url.searchParams.getAll("command");
    const container = url.searchParams.get("container") ?? pod.spec?.containers[0]?.name ?? "";
    const tty = url.searchParams.get("tty") === "true";
    if (!this.options.onExec) return refuse(500, "no exec handler in this test");
    this.record(req, url, 101, { subprotocols: offered });
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.bridge(ws, `${namespace}/${name}`, this.options.onExec!({ namespace, pod, container, command, tty })),
    );
  }

  /** Relays the v5 channels between the WebSocket and the process, with backpressure both ways. */
  private bridge(ws: WebSocket, podKey: string, proc: FakeExecProcess): void {
    const set = this.execs.get(podKey) ?? new Set();
    set.add(proc);
    this.execs.set(podKey, set);
    proc.stdin.on("error", () => {});
    const relay = (stream: Readable, channel: number) =>
      stream.on("data", (chunk: Buffer) => {
        if (ws.readyState !== ws.OPEN) return;
        stream.pause();
        ws.send(Buffer.concat([Buffer.of(channel), chunk]), { binary: true }, () => stream.resume());
      });
    relay(proc.stdout, 1);
    relay(proc.stderr, 2);
    ws.on("message", (data: Buffer) => {
      const channel = data[0];
      if (channel === 0) {
        if (!proc.stdin.write(data.subarray(1))) {
          ws.pause();
          proc.stdin.once("drain", () => ws.resume());
        }
      } else if (channel === 255 && data[1] === 0) {
        proc.stdin.end();
        // An ending stream never emits 'drain': resume here, or the client's close is never read.
        ws.resume();
      }
      // 4 (resize) has no effect without a terminal; anything else is ignored as the kubelet does.
    });
    ws.on("close", () => proc.kill());
    const outputsDone = Promise.all([proc.stdout, proc.stderr].map((s) => new Promise((r) => (s.readableEnded ? r(null) : s.once("close", r)))));
    void Promise.all([proc.exited, outputsDone]).then(([code]) => {
      set.delete(proc);
      if (ws.readyState !== ws.OPEN) return;
      const final =
        code === 0
          ? { metadata: {}, status: "Success" }
          : {
              metadata: {},
              status: "Failure",
              reason: "NonZeroExitCode",
              message: `command terminated with non-zero exit code: ${code ?? "killed"}`,
              details: { causes: [{ reason: "ExitCode", message: String(code ?? 137) }] },
            };
      ws.send(Buffer.concat([Buffer.of(3), Buffer.from(JSON.stringify(final))]), { binary: true }, () => ws.close(1000));
    });
  }
}

// Previews and egress on the Kubernetes driver go through the pod's agent over the API server's
// exec stream, as on Docker (lease-network.ts, connectPort): never a pod IP. The fake API server's
// pods each have a network namespace with only loopback (what the default-deny policy leaves a
// pod), the real Go agent as uid 1000, and the real egress gateway deciding by policy.
import * as http from "node:http";
import { connect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "@/sandbox-images/agent";
import { EgressGateway } from "@/server/egress/egress-gateway";
import type { NetworkPolicy } from "@/server/egress/address-policy";
import { FakeKubeApiServer } from "@/test/support/fake-kube-apiserver";
import { FakePodProcesses } from "@/test/support/fake-kube-pods";
import { MemoryWorkspaceStore } from "@/test/support/memory-workspace-store";
import { NothingListeningError } from "../agent-net";
import type { SandboxEngine } from "../engine";
import type { SandboxProcess } from "../spawned-process";
import { createKubernetesSandboxEngine } from "./kubernetes-engine";

const PORTS = [3670, 3671, 3672, 3673, 3674, 3675, 3676, 3677, 3678, 3679];
const NS = "pantheon-sandboxes";
const log = pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" });
const policies: Record<string, NetworkPolicy> = { "net-open": "open", "net-none": "none", "net-preview": "none" };
let api: FakeKubeApiServer;
let pods: FakePodProcesses;
let engine: SandboxEngine;
let gateway: EgressGateway;
/** Stands in for the internet: a host-side HTTP server the gateway dials instead of the address it resolved. */
let upstream: http.Server;
const dialed: string[] = [];

beforeAll(async () => {
  pods = new FakePodProcesses(await buildAgent(() => {}));
  api = await FakeKubeApiServer.start({ ports: PORTS, onExec: pods.onExec });
  upstream = http.createServer((req, res) => res.end(`upstream saw ${req.method} ${req.url}\n`));
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  gateway = new EgressGateway({
    log,
    policyFor: (projectId) => Promise.resolve(policies[projectId] ?? "none"),
    caFile: null,
    // example.org is "on the internet"; the connection to it lands on the local upstream.
    resolve: (host) => Promise.resolve(host === "example.org" ? ["93.184.215.14"] : []),
    dial: (address, port) => {
      dialed.push(`${address}:${port}`);
      return connect(upstreamPort, "127.0.0.1");
    },
  });
  engine = createKubernetesSandboxEngine({
    config: { scope: "k8s-net", poolSizePerImage: 1, warmImages: ["node"], maxConcurrent: 4, defaultTimeoutMs: 20_000, reapOtherInstances: false },
    kubernetes: { namespace: NS, pollIntervalMs: 5 },
    store: new MemoryWorkspaceStore(),
    logger: log,
    kubeConfig: api.kubeConfig(),
    egress: gateway,
  });
  await engine.start();
}, 300_000);

afterAll(async () => {
  await engine?.stop();
  gateway?.stop();
  await api?.close();
  upstream?.close();
  pods?.cleanup();
});

const exec = (projectId: string, command: string) =>
  engine.execute(projectId, { kind: "command", command, timeoutMs: 20_000 }, { network: policies[projectId] ?? "none" });

/** An HTTP request through the proxy port, by bash alone (no curl needed in the "pod"). */
const viaProxy = `(exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'GET http://example.org/hello HTTP/1.1\\r\\nHost: example.org\\r\\nConnection: close\\r\\n\\r\\n' >&3 && cat <&3 | tail -n 1) 2>/dev/null || echo closed`;

function collect(socket: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.on("data", (b: Buffer) => (text += b.toString("latin1")));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("previews and egress on the Kubernetes driver go through the pod's agent", () => {
  it("a project with network reaches the internet only through the agent's listener and the app's proxy", async () => {
    const r = await exec("net-open", `${viaProxy}; echo "[$HTTP_PROXY]"`);
    expect(r.status, r.errorOutput).toBe("success");
    expect(r.output).toBe("upstream saw GET /hello\n[http://127.0.0.1:3128]\n");
    expect(dialed).toEqual(["93.184.215.14:80"]);
    // The pod has no other way out: the host's upstream, by address, is unreachable from inside.
    const port = (upstream.address() as AddressInfo).port;
    const direct = await exec("net-open", `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo reached || echo unreachable`);
    expect(direct.output).toBe("unreachable\n");
    // The proxy still decides: a private address is refused whatever the policy.
    const refused = await exec(
      "net-open",
      `(exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'GET http://10.0.0.1/ HTTP/1.1\\r\\nHost: 10.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3) 2>/dev/null`,
    );
    expect(refused.output).toMatch(/^HTTP\/1\.1 403 /);
    expect(dialed).toEqual(["93.184.215.14:80"]);
  });

  it('policy "none": nothing listens on the proxy port and no proxy environment', async () => {
    const r = await exec("net-none", `${viaProxy}; echo "[$HTTP_PROXY]"`);
    expect(r.output).toBe("closed\n[]\n");
  });

  it("a preview's connection reaches a server in the pod through the agent's forward, never a pod IP", async () => {
    const server: SandboxProcess = await engine.spawn("net-preview", {
      image: "node",
      argv: ["node", "-e", `require("http").createServer((q, s) => s.end("preview from the pod " + q.url)).listen(5173, "127.0.0.1", () => console.log("up"))`],
    });
    await new Promise<void>((resolve, reject) => {
      server.stdout.once("data", () => resolve());
      void server.exited.then(() => reject(new Error("the server exited")));
    });
    const socket = await engine.connectPort("net-preview", 5173);
    const answer = collect(socket);
    socket.end("GET /index.html HTTP/1.0\r\nHost: preview\r\n\r\n");
    expect(await answer).toMatch(/\r\n\r\npreview from the pod \/index\.html$/);
    await expect(engine.connectPort("net-preview", 5174).then((s) => collect(s))).rejects.toBeInstanceOf(NothingListeningError);
    await server.kill();
    // Every request went to the API server (exec streams included); no pod has an address to use.
    expect([...api.pods.values()].every((p) => p.status?.podIP === undefined)).toBe(true);
    expect(
      api.requests.every((r) => r.path === "/version" || r.path.startsWith(`/api/v1/namespaces/${NS}/`) || r.path.startsWith("/apis/networking.k8s.io/")),
    ).toBe(true);
  });
});

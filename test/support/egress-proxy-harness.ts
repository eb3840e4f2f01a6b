// The egress proxy wired to in-memory ends, for unit tests: the container's connections, a fake
// resolver that records what it was asked, and fake upstreams that record what reached them.
import http from "node:http";
import pino from "pino";
import { DEFAULT_REGISTRY_HOSTS, HostAddressSet, type NetworkPolicy } from "@/server/egress/address-policy";
import { duplexPair, type MemoryEnd } from "@/test/support/duplex-pair";
import { type EgressDecision, EgressProxy, type EgressProxyOptions, type EgressTunnel } from "@/server/egress/egress-proxy";

export interface HarnessOptions {
  dns?: Record<string, string[]>;
  /** Serves each upstream connection the proxy opens (its far end); default: an HTTP server answering "upstream ok". */
  upstream?: (end: MemoryEnd, address: string, port: number) => void;
  proxy?: Partial<EgressProxyOptions>;
}

export function proxyHarness(policies: Record<string, NetworkPolicy>, opts: HarnessOptions = {}) {
  const decisions: EgressDecision[] = [];
  const lines: Record<string, unknown>[] = [];
  const resolved: string[] = [];
  const policyLookups: string[] = [];
  const dials: { address: string; port: number; received: () => Buffer }[] = [];
  const requests: { method: string; url: string; rawHeaders: string[]; body: string }[] = [];
  const upstreamHttp = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("latin1")));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", rawHeaders: req.rawHeaders, body });
      res.end("upstream ok\n");
    });
  });
  const proxy = new EgressProxy({
    log: pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }),
    policyFor: async (id) => {
      policyLookups.push(id);
      const p = policies[id];
      if (!p) throw new Error(`no project ${id}`);
      return p;
    },
    registryHosts: DEFAULT_REGISTRY_HOSTS,
    hostAddresses: () => new HostAddressSet(["127.0.0.1", "172.17.0.1", "198.51.100.9"], ["172.17.0.0/16"]),
    resolve: async (host) => {
      resolved.push(host);
      const answer = opts.dns?.[host];
      if (!answer) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      return answer;
    },
    dial: (address, port) => {
      const [near, far] = duplexPair();
      const chunks: Buffer[] = [];
      far.on("data", (d: Buffer) => chunks.push(d));
      dials.push({ address, port, received: () => Buffer.concat(chunks) });
      if (opts.upstream) opts.upstream(far, address, port);
      else upstreamHttp.emit("connection", far);
      process.nextTick(() => near.emit("connect"));
      return near;
    },
    onDecision: (d) => decisions.push(d),
    ...opts.proxy,
  });
  const tunnels = new Map<string, EgressTunnel>();
  /** A new connection from the project's container (its tunnel, and so its policy cache, is shared). */
  const connect = (projectId: string): MemoryEnd => {
    let tunnel = tunnels.get(projectId);
    if (!tunnel) tunnels.set(projectId, (tunnel = proxy.tunnel(projectId)));
    const [client, server] = duplexPair();
    proxy.handle(tunnel, server);
    return client;
  };
  /** Everything the proxy sends on this connection until it ends it. */
  const answer = (client: MemoryEnd) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      client.on("data", (d: Buffer) => chunks.push(d));
      const done = () => resolve(Buffer.concat(chunks));
      client.on("end", done);
      client.on("close", done);
    });
  /** Sends raw bytes as the container would, returns what the proxy answered until it closed. */
  const send = async (projectId: string, raw: string | Buffer) => {
    const client = connect(projectId);
    const reply = answer(client);
    client.write(raw);
    return (await reply).toString("latin1");
  };
  return { proxy, connect, answer, send, decisions, lines, resolved, policyLookups, dials, requests };
}

export const connectRequest = (target: string) => `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`;

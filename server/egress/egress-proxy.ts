// The egress proxy: an HTTP proxy with no listening socket. Every connection it serves is a tunnel
// channel from one project's container, so every decision is taken, and logged, for that project.
// CONNECT host:port (HTTPS) and absolute-form plain HTTP are served; everything else is refused.
import { lookup } from "node:dns/promises";
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { checkAddress, decideHost, type HostAddressSet, type NetworkPolicy, parseIpAddress } from "./address-policy";

export interface EgressDecision {
  projectId: string;
  policy: NetworkPolicy;
  method: string;
  host: string;
  port: number;
  /** The address connected to (allowed) or refused after resolution. */
  address: string | null;
  allowed: boolean;
  reason: string;
}

export interface EgressProxyOptions {
  log: Logger;
  /** The project's current policy (read at each request: a change applies to the next connection). */
  policyFor: (projectId: string) => Promise<NetworkPolicy>;
  registryHosts: readonly string[];
  /** This host's addresses and Docker subnets (refreshed by the owner). */
  hostAddresses: () => HostAddressSet;
  /** Name resolution on the host; the container has no resolver. */
  resolve?: (host: string) => Promise<string[]>;
  connectTimeoutMs?: number;
  onDecision?: (decision: EgressDecision) => void;
}

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

async function defaultResolve(host: string): Promise<string[]> {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

/** "host:port" of a CONNECT request, IPv6 in brackets; null when malformed. */
export function parseAuthority(authority: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]]+):([0-9]{1,5})$/.exec(authority);
  if (!m?.[1] || !m[2]) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1], port } : null;
}

type Target = { ok: true; address: string; policy: NetworkPolicy } | { ok: false; reason: string; policy: NetworkPolicy; address: string | null };

export class EgressProxy {
  private readonly server = http.createServer();
  private readonly projectOf = new WeakMap<Duplex, string>();

  constructor(private readonly opts: EgressProxyOptions) {
    this.server.on("connect", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.onConnect(req, socket, head));
    this.server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => void this.onRequest(req, res));
    this.server.on("upgrade", (_req: http.IncomingMessage, socket: Duplex) => refuseRaw(socket, 501, "upgrades through the proxy are not supported"));
    this.server.on("clientError", (_err, socket: Duplex) => refuseRaw(socket, 400, "bad request"));
  }

  /** Serves one connection made by the project's container. */
  handle(projectId: string, connection: Duplex): void {
    this.projectOf.set(connection, projectId);
    this.server.emit("connection", connection);
  }

  private async decide(projectId: string, method: string, host: string, port: number): Promise<Target> {
    let policy: NetworkPolicy = "none";
    let result: Target;
    try {
      policy = await this.opts.policyFor(projectId);
      result = await this.resolveTarget(policy, host, port);
    } catch (err) {
      result = { ok: false, policy, address: null, reason: `policy lookup failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    const decision: EgressDecision = {
      projectId,
      policy,
      method,
      host: host.slice(0, 300),
      port,
      address: result.address,
      allowed: result.ok,
      reason: result.ok ? "allowed" : result.reason,
    };
    if (decision.allowed) this.opts.log.info(decision, "egress allowed");
    else this.opts.log.warn(decision, "egress refused");
    this.opts.onDecision?.(decision);
    return result;
  }

  private async resolveTarget(policy: NetworkPolicy, host: string, port: number): Promise<Target> {
    const hostSet = this.opts.hostAddresses();
    const decision = decideHost(policy, host, port, { registryHosts: this.opts.registryHosts, host: hostSet });
    if (!decision.ok) return { ok: false, policy, address: null, reason: decision.reason };
    if (decision.target.kind === "ip") return { ok: true, policy, address: decision.target.addr.toString() };
    // Only now, with the name allowed, is it resolved. Every answer must pass (DNS rebinding), and
    // the connection goes to the checked address, never to the name again.
    let addresses: string[];
    try {
      addresses = await (this.opts.resolve ?? defaultResolve)(decision.target.name);
    } catch (err) {
      return { ok: false, policy, address: null, reason: `cannot resolve ${decision.target.name}: ${(err as NodeJS.ErrnoException).code ?? "error"}` };
    }
    if (!addresses.length) return { ok: false, policy, address: null, reason: `${decision.target.name} has no address` };
    for (const text of addresses) {
      const addr = parseIpAddress(text);
      if (!addr) return { ok: false, policy, address: text, reason: `${decision.target.name} resolved to an unparsable address` };
      const verdict = checkAddress(addr, hostSet);
      if (!verdict.ok) return { ok: false, policy, address: text, reason: `${decision.target.name} resolves to ${verdict.reason}` };
    }
    return { ok: true, policy, address: addresses[0]! };
  }

  private async onConnect(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const projectId = this.projectOf.get(req.socket) ?? "unknown";
    const authority = parseAuthority(req.url ?? "");
    if (!authority) {
      await this.logMalformed(projectId, "CONNECT", req.url ?? "");
      return refuseRaw(socket, 400, "CONNECT needs host:port");
    }
    const target = await this.decide(projectId, "CONNECT", authority.host, authority.port);
    if (!target.ok) return refuseRaw(socket, 403, target.reason);
    const upstream = net.connect({ host: target.address, port: authority.port });
    const timer = setTimeout(() => upstream.destroy(new Error("connect timeout")), this.opts.connectTimeoutMs ?? 15_000);
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.once("error", (err) => {
      clearTimeout(timer);
      if (!connected) refuseRaw(socket, 502, `cannot reach ${authority.host}:${authority.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      else socket.destroy();
    });
    socket.once("close", () => upstream.destroy());
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const projectId = this.projectOf.get(req.socket) ?? "unknown";
    let url: URL | null = null;
    try {
      if (req.url && /^http:\/\//i.test(req.url)) url = new URL(req.url);
    } catch {
      url = null;
    }
    if (!url || url.username || url.password) {
      await this.logMalformed(projectId, req.method ?? "?", req.url ?? "");
      return refuseResponse(res, 400, "the proxy serves CONNECT host:port and absolute http:// URLs only");
    }
    const port = url.port ? Number(url.port) : 80;
    const target = await this.decide(projectId, req.method ?? "GET", url.hostname, port);
    if (!target.ok) return refuseResponse(res, 403, target.reason);
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = http.request({ host: target.address, port, method: req.method, path: `${url.pathname}${url.search}`, headers, setHost: false });
    upstream.setTimeout(this.opts.connectTimeoutMs ?? 15_000, () => upstream.destroy(new Error("timeout")));
    upstream.on("response", (answer) => {
      const out = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete out[name];
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    upstream.on("error", (err) => {
      if (!res.headersSent) refuseResponse(res, 502, `cannot reach ${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  private async logMalformed(projectId: string, method: string, target: string): Promise<void> {
    const decision: EgressDecision = {
      projectId,
      policy: "none",
      method,
      host: target.slice(0, 300),
      port: 0,
      address: null,
      allowed: false,
      reason: "malformed request target",
    };
    try {
      decision.policy = await this.opts.policyFor(projectId);
    } catch {
      // logged with "none"
    }
    this.opts.log.warn(decision, "egress refused");
    this.opts.onDecision?.(decision);
  }
}

function refuseRaw(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  const body = `pantheon egress proxy: ${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function refuseResponse(res: http.ServerResponse, status: number, reason: string): void {
  const body = `pantheon egress proxy: ${reason}\n`;
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body), Connection: "close" });
  res.end(body);
}

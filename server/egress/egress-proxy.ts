// The egress proxy: an HTTP proxy with no listening socket. Every connection it serves is a tunnel
// channel from one project's container, so every decision is taken, and logged, for that project.
// CONNECT host:port (HTTPS) and absolute-form plain HTTP are served; everything else is refused.
// In `registry` mode the name the registry's CDN routes on must be the allowed one: the SNI of the
// TLS ClientHello on a CONNECT tunnel, the Host header on plain HTTP (http-forwarding.ts).
import { lookup } from "node:dns/promises";
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { checkAddress, decideHost, type EgressVia, type HostAddressSet, type NetworkPolicy, parseHost, parseIpAddress } from "./address-policy";
import { checkHostHeader, clientResponseHeaders, FORWARDED_METHODS, requestFraming, upstreamHost, upstreamRequestHeaders } from "./http-forwarding";
import { CLIENT_HELLO_TIMEOUT_MS, readClientHello } from "./read-client-hello";
import { RefusalThrottle, type RefusalThrottleLimits } from "./refusal-throttle";
import { POLICY_TTL_MS, TunnelPolicy } from "./tunnel-policy";

export interface EgressDecision {
  projectId: string;
  policy: NetworkPolicy;
  method: string;
  host: string;
  port: number;
  /** The address connected to (allowed) or refused after resolution. */
  address: string | null;
  /** The TLS server name the client sent on a registry CONNECT tunnel, when read. */
  serverName?: string | null;
  allowed: boolean;
  reason: string;
}

export interface EgressProxyOptions {
  log: Logger;
  /** The project's stored policy; each tunnel caches it for policyTtlMs. */
  policyFor: (projectId: string) => Promise<NetworkPolicy>;
  registryHosts: readonly string[];
  /** This host's addresses and Docker subnets (refreshed by the owner). */
  hostAddresses: () => HostAddressSet;
  /** Name resolution on the host; the container has no resolver. */
  resolve?: (host: string) => Promise<string[]>;
  /** Opens the TCP connection to a checked address (tests: an in-memory upstream that emits "connect"). */
  dial?: (address: string, port: number) => Duplex;
  connectTimeoutMs?: number;
  policyTtlMs?: number;
  clientHelloTimeoutMs?: number;
  throttle?: Partial<RefusalThrottleLimits>;
  onDecision?: (decision: EgressDecision) => void;
}

/** One project's tunnel: every connection it carries is that project's, under its cached policy. */
export interface EgressTunnel {
  readonly projectId: string;
  readonly policy: TunnelPolicy;
}

/** How long a refused TLS client may take to close after the alert. */
const REFUSED_TLS_GRACE_MS = 5_000;
/** Fatal TLS alert unrecognized_name(112): what a server answers to a name it does not serve. */
const TLS_ALERT_UNRECOGNIZED_NAME = Buffer.from([21, 3, 3, 0, 2, 2, 112]);

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
  private readonly tunnelOf = new WeakMap<Duplex, EgressTunnel>();
  private readonly throttle: RefusalThrottle;

  constructor(private readonly opts: EgressProxyOptions) {
    this.throttle = new RefusalThrottle(opts.log, opts.throttle);
    // A handler that fails unexpectedly ends that connection, never the process.
    const guard = (socket: Duplex, work: Promise<void>) =>
      void work.catch((err: unknown) => {
        this.opts.log.error({ err: err instanceof Error ? err.message : String(err) }, "egress proxy error");
        socket.destroy();
      });
    this.server.on("connect", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => guard(socket, this.onConnect(req, socket, head)));
    this.server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => guard(req.socket, this.onRequest(req, res)));
    this.server.on("upgrade", (req: http.IncomingMessage, socket: Duplex) => guard(socket, this.onUpgrade(req, socket)));
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => guard(socket, this.onClientError(err, socket)));
  }

  /** A tunnel's context: its connections share one policy cache. */
  tunnel(projectId: string): EgressTunnel {
    return { projectId, policy: new TunnelPolicy(projectId, this.opts.policyFor, this.opts.policyTtlMs ?? POLICY_TTL_MS) };
  }

  /** Serves one connection made by the project's container. */
  handle(tunnel: EgressTunnel, connection: Duplex): void {
    this.tunnelOf.set(connection, tunnel);
    this.server.emit("connection", connection);
  }

  /** Logs what the refusal throttle held back. */
  stop(): void {
    this.throttle.stop();
  }

  private tunnelFor(socket: Duplex): EgressTunnel {
    return this.tunnelOf.get(socket) ?? this.tunnel("unknown");
  }

  /** Every decision is reported; refusals past the project's per-window quota are summarized, not logged one by one. */
  private async record(decision: EgressDecision): Promise<void> {
    this.opts.onDecision?.(decision);
    if (decision.allowed) {
      this.opts.log.info(decision, "egress allowed");
      return;
    }
    if (await this.throttle.refused(decision.projectId, decision.reason)) this.opts.log.warn(decision, "egress refused");
  }

  /** A refusal before any destination was parsed (malformed, throttled, wrong method). */
  private async refuseEarly(tunnel: EgressTunnel, method: string, target: string, reason: string): Promise<void> {
    let policy: NetworkPolicy = "none";
    try {
      policy = await tunnel.policy.get();
    } catch {
      // reported with "none"
    }
    await this.record({ projectId: tunnel.projectId, policy, method, host: target.slice(0, 300), port: 0, address: null, allowed: false, reason });
  }

  /** While the project is blocked for too many refusals: answered at once, no policy lookup, no DNS. */
  private async throttled(tunnel: EgressTunnel, method: string, target: string): Promise<number> {
    const ms = await this.throttle.blockedFor(tunnel.projectId);
    if (!ms) return 0;
    this.throttle.throttled(tunnel.projectId);
    this.opts.onDecision?.({
      projectId: tunnel.projectId,
      policy: "none",
      method,
      host: target.slice(0, 300),
      port: 0,
      address: null,
      allowed: false,
      reason: "too many refused connections",
    });
    return Math.ceil(ms / 1000);
  }

  private async decide(tunnel: EgressTunnel, via: EgressVia, host: string, port: number): Promise<Target> {
    let policy: NetworkPolicy = "none";
    try {
      policy = await tunnel.policy.get();
      return await this.resolveTarget(policy, via, host, port);
    } catch (err) {
      return { ok: false, policy, address: null, reason: `policy lookup failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  private async resolveTarget(policy: NetworkPolicy, via: EgressVia, host: string, port: number): Promise<Target> {
    const hostSet = this.opts.hostAddresses();
    const decision = decideHost(policy, host, port, { registryHosts: this.opts.registryHosts, host: hostSet, via });
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

  private dial(address: string, port: number): Duplex {
    return this.opts.dial ? this.opts.dial(address, port) : net.connect({ host: address, port });
  }

  private async onConnect(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const tunnel = this.tunnelFor(req.socket);
    const retryAfter = await this.throttled(tunnel, "CONNECT", req.url ?? "");
    if (retryAfter) return refuseRaw(socket, 429, "too many refused connections from this project", { "Retry-After": String(retryAfter) });
    const authority = parseAuthority(req.url ?? "");
    if (!authority) {
      await this.refuseEarly(tunnel, "CONNECT", req.url ?? "", "malformed request target");
      return refuseRaw(socket, 400, "CONNECT needs host:port");
    }
    const base = { projectId: tunnel.projectId, method: "CONNECT", host: authority.host.slice(0, 300), port: authority.port };
    const target = await this.decide(tunnel, "connect", authority.host, authority.port);
    if (!target.ok) {
      await this.record({ ...base, policy: target.policy, address: target.address, allowed: false, reason: target.reason });
      return refuseRaw(socket, 403, target.reason);
    }
    const allowed = { ...base, policy: target.policy, address: target.address };
    const upstream = this.dial(target.address, authority.port);
    const timer = setTimeout(() => upstream.destroy(new Error("connect timeout")), this.opts.connectTimeoutMs ?? 15_000);
    let connected = false;
    socket.once("close", () => upstream.destroy());
    upstream.on("error", (err) => {
      clearTimeout(timer);
      if (!connected) refuseRaw(socket, 502, `cannot reach ${authority.host}:${authority.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      else socket.destroy();
    });
    upstream.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (target.policy !== "registry") {
        void this.record({ ...allowed, allowed: true, reason: "allowed" });
        return splice(socket, upstream, head);
      }
      this.gateOnServerName(allowed, socket, upstream, head).catch(() => {
        upstream.destroy();
        socket.destroy();
      });
    });
  }

  /**
   * Registry mode: nothing reaches the registry until the client's ClientHello names the allowed
   * host. The CDN in front of a registry picks the site by SNI, so a tunnel to the registry's
   * address with another name would reach another site on the same CDN. An Encrypted Client Hello
   * is refused too: its outer name is a decoy by design.
   */
  private async gateOnServerName(decision: Omit<EgressDecision, "allowed" | "reason">, socket: Duplex, upstream: Duplex, head: Buffer): Promise<void> {
    const read = await readClientHello(socket, head, this.opts.clientHelloTimeoutMs ?? CLIENT_HELLO_TIMEOUT_MS);
    const parsed = parseHost(decision.host);
    const want = "name" in parsed ? parsed.name : decision.host;
    let reason: string | null = null;
    if (!read.ok) reason = read.reason;
    else if (read.hello.serverName === null) reason = `TLS ClientHello without a server name (SNI); registry policy needs ${want}`;
    else if (read.hello.serverName !== want) reason = `TLS server name ${read.hello.serverName} is not ${want}`;
    else if (read.hello.encryptedClientHello) reason = "TLS Encrypted Client Hello hides the real server name";
    const serverName = read.ok ? read.hello.serverName : null;
    // Either side may have gone while the client was being read.
    const gone = socket.destroyed || upstream.destroyed || upstream.readableEnded;
    if (reason === null && read.ok && !gone) {
      void this.record({ ...decision, serverName, allowed: true, reason: "allowed" });
      return splice(socket, upstream, read.data);
    }
    upstream.destroy();
    if (reason === null || (!read.ok && read.silent)) return void socket.destroy();
    void this.record({ ...decision, serverName, allowed: false, reason });
    // A TLS client gets an alert it can report ("unrecognized name"); anything else is just closed.
    // The alert goes with an EOF and the client closes on it; destroying at once would reset the
    // connection in the container before the alert is delivered. What the client sends meanwhile
    // is read and dropped (a paused channel would hold up its whole tunnel); one that never closes
    // is cut after a grace period.
    if (read.ok && !socket.destroyed) {
      socket.resume();
      socket.end(TLS_ALERT_UNRECOGNIZED_NAME);
      setTimeout(() => socket.destroy(), REFUSED_TLS_GRACE_MS).unref();
    } else socket.destroy();
  }

  private async onUpgrade(req: http.IncomingMessage, socket: Duplex): Promise<void> {
    socket.on("error", () => socket.destroy());
    await this.refuseEarly(this.tunnelFor(req.socket), req.method ?? "?", req.url ?? "", "upgrade requested");
    refuseRaw(socket, 501, "upgrades through the proxy are not supported");
  }

  private async onClientError(err: NodeJS.ErrnoException, socket: Duplex): Promise<void> {
    if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
    await this.refuseEarly(this.tunnelFor(socket), "?", "", `malformed HTTP request (${err.code ?? "parse error"})`);
    refuseRaw(socket, 400, `malformed HTTP request (${err.code ?? "parse error"})`);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const tunnel = this.tunnelFor(req.socket);
    const method = req.method ?? "?";
    const retryAfter = await this.throttled(tunnel, method, req.url ?? "");
    if (retryAfter) return refuseResponse(res, 429, "too many refused connections from this project", { "Retry-After": String(retryAfter) });
    let url: URL | null = null;
    try {
      if (req.url && /^http:\/\//i.test(req.url)) url = new URL(req.url);
    } catch {
      url = null;
    }
    if (!url || url.username || url.password) {
      await this.refuseEarly(tunnel, method, req.url ?? "", "malformed request target");
      return refuseResponse(res, 400, "the proxy serves CONNECT host:port and absolute http:// URLs only");
    }
    if (!FORWARDED_METHODS.has(method)) {
      await this.refuseEarly(tunnel, method, url.host, `method ${method} not allowed`);
      return refuseResponse(res, 405, `method ${method.slice(0, 20)} is not forwarded`, { Allow: [...FORWARDED_METHODS].join(", ") });
    }
    const port = url.port ? Number(url.port) : 80;
    const base = { projectId: tunnel.projectId, method, host: url.hostname.slice(0, 300), port };
    const host = checkHostHeader(req.rawHeaders, { host: url.hostname, port });
    const framing = requestFraming(req.headers);
    const hostValue = upstreamHost({ host: url.hostname, port });
    const badRequest = !host.ok ? host.reason : "error" in framing ? `request body framing: ${framing.error}` : hostValue === null ? "invalid host" : null;
    if (badRequest !== null || "error" in framing || hostValue === null) {
      await this.refuseEarly(tunnel, method, url.host, badRequest ?? "bad request");
      return refuseResponse(res, 400, badRequest ?? "bad request");
    }
    const target = await this.decide(tunnel, "http", url.hostname, port);
    if (!target.ok) {
      await this.record({ ...base, policy: target.policy, address: target.address, allowed: false, reason: target.reason });
      return refuseResponse(res, 403, target.reason);
    }
    void this.record({ ...base, policy: target.policy, address: target.address, allowed: true, reason: "allowed" });
    // A connection of its own per request (no agent, so no pool): an upstream connection is never
    // shared between requests, let alone between projects. It goes to the checked address.
    const upstream = http.request({
      method,
      path: `${url.pathname}${url.search}`,
      headers: upstreamRequestHeaders(req.rawHeaders, hostValue, framing),
      setHost: false,
      createConnection: () => this.dial(target.address, port),
    });
    upstream.setTimeout(this.opts.connectTimeoutMs ?? 15_000, () => upstream.destroy(new Error("timeout")));
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, clientResponseHeaders(answer.rawHeaders));
      answer.pipe(res);
    });
    upstream.on("error", (err) => {
      if (!res.headersSent) refuseResponse(res, 502, `cannot reach ${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      else res.destroy();
    });
    res.on("close", () => upstream.destroy());
    if (framing.kind === "none") upstream.end();
    else req.pipe(upstream);
  }
}

/** Both directions, the bytes already read from the client first. */
function splice(socket: Duplex, upstream: Duplex, first: Buffer): void {
  if (first.length) upstream.write(first);
  upstream.pipe(socket);
  socket.pipe(upstream);
  socket.resume();
}

function refuseRaw(socket: Duplex, status: number, reason: string, extra: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = `pantheon egress proxy: ${reason}\n`;
  const headers = Object.entries(extra)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
  );
}

function refuseResponse(res: http.ServerResponse, status: number, reason: string, extra: Record<string, string> = {}): void {
  const body = `pantheon egress proxy: ${reason}\n`;
  res.writeHead(status, { ...extra, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body), Connection: "close" });
  res.end(body);
}

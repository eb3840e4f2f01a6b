import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { ImageKind } from "@/server/sandbox/config";
import { rawResponse, sendBadRequest, sendForbidden, sendHandoff, sendNotFound, sendNothingListening, sendUpstreamFailed } from "./preview-pages";
import { previewRequestRefusal, type PreviewGrant, type PreviewRequestFacts } from "./preview-request-rules";
import { cookieValues, downstreamResponseHeaders, forwardableTarget, upstreamRequestHeaders } from "./proxy-headers";
import { framingHeaders, requestFraming, type Framing } from "./request-framing";
import { NothingListeningError } from "@/server/sandbox/agent-net";

/** One running preview: a port inside one project's container, taken from the engine's record. */
export interface PreviewTarget {
  processId: number;
  projectId: number;
  /** The port the process serves inside its container. */
  port: number;
  /** The process's image. */
  image: ImageKind;
}

/** A target as the gateway serves it: the number that names it, its origin, and its cookie. */
export interface ServedPreview {
  target: PreviewTarget;
  /** The listener port (same-host mode) or the host label (domain mode). */
  slot: number;
  /** scheme://host[:port] of its pages. */
  origin: string;
  /** The httpOnly cookie that opens this preview (and no other), and its attributes after Path and Max-Age. */
  cookieName: string;
  cookieAttributes: string;
  /** Set when another instance runs the process (domain mode): the id of that instance, whose row the access check re-reads. */
  heldBy?: string;
}

/** What a request offers as proof: an API key, or the values of this preview's own cookie. */
export interface PreviewCredentials {
  authorization: string | null;
  cookies: string[];
}

export interface PreviewHooks {
  /** What these credentials may do with this preview; null for anyone who may not see it. */
  authorize(credentials: PreviewCredentials, preview: ServedPreview): Promise<PreviewGrant | null>;
  /** Exchanges a hand-off token from the IDE for this preview's cookie value; null when it does not open this preview. */
  redeem(handoffToken: string, preview: ServedPreview): Promise<{ value: string; maxAgeSeconds: number } | null>;
  /**
   * A fresh byte stream to 127.0.0.1:<target.port> inside the project's container. `eager`: it may
   * come before the connection inside is open (what is written leaves with the opening), and
   * nothing listening then ends it with NothingListeningError instead of rejecting.
   */
  connect(target: PreviewTarget, options?: { eager?: boolean }): Promise<Duplex>;
}

/** Paths the listener answers itself; they never reach the dev server. */
const RESERVED_PREFIX = "/__pantheon/";
const HANDOFF_PATH = "/__pantheon/auth";

/** Idle pooled connections are dropped before the dev server's own keep-alive timeout (Node's is 5 s). */
const FREE_SOCKET_IDLE_MS = 4_000;
const MAX_UPSTREAM_CONNECTIONS = 8;

/** node:http's Agent with connections forwarded by the container's agent instead of TCP, pooled with keep-alive. */
class TunnelAgent extends Agent {
  constructor(private readonly open: () => Promise<Duplex>) {
    super({ keepAlive: true, maxSockets: MAX_UPSTREAM_CONNECTIONS, maxFreeSockets: 4, timeout: FREE_SOCKET_IDLE_MS, scheduling: "lifo" });
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.open().then(
      (socket) => callback?.(null, socket),
      (err: unknown) => callback?.(err instanceof Error ? err : new Error(String(err)), undefined as never),
    );
    return undefined;
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};

function facts(req: IncomingMessage, upgrade: boolean): PreviewRequestFacts {
  return {
    method: req.method ?? "GET",
    upgrade,
    origin: header(req, "origin"),
    secFetchSite: header(req, "sec-fetch-site"),
    secFetchMode: header(req, "sec-fetch-mode"),
  };
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The reverse proxy for one preview: authorises each request and WebSocket handshake (who, then
 * what: preview-request-rules.ts), frames its body itself, then forwards it, headers filtered
 * (proxy-headers.ts), over pooled forwarded connections. Every byte goes to the target's port in the
 * target's container: nothing in the request chooses where.
 */
export class PreviewProxy {
  private readonly agent: TunnelAgent;
  private readonly upgraded = new Set<Duplex>();
  readonly target: PreviewTarget;

  constructor(
    readonly preview: ServedPreview,
    private readonly hooks: PreviewHooks,
    private readonly log: Logger,
  ) {
    this.target = preview.target;
    // Eager: node:http reports a refusal as the request's error either way, and a new upstream
    // connection costs one round trip to the container's agent less.
    this.agent = new TunnelAgent(() => hooks.connect(preview.target, { eager: true }));
  }

  private async grant(req: IncomingMessage): Promise<PreviewGrant | null> {
    try {
      const credentials = { authorization: header(req, "authorization") ?? null, cookies: cookieValues(header(req, "cookie"), this.preview.cookieName) };
      if (!credentials.authorization && !credentials.cookies.length) return null;
      return await this.hooks.authorize(credentials, this.preview);
    } catch (err) {
      this.log.warn({ projectId: this.target.projectId, processId: this.target.processId, err }, "preview authorisation failed");
      return null;
    }
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = forwardableTarget(req.url);
    if (path?.startsWith(RESERVED_PREFIX)) {
      req.resume();
      return this.handleReserved(req, res, path);
    }
    const grant = await this.grant(req);
    if (!grant) {
      req.resume();
      return sendNotFound(res);
    }
    if (!path) {
      req.resume();
      return sendBadRequest(res, "only origin-form request targets (/path) are accepted");
    }
    const refusal = previewRequestRefusal(facts(req, false), this.preview.origin, grant);
    if (refusal) {
      req.resume();
      return sendForbidden(res, refusal);
    }
    const framing = requestFraming(req.headers);
    if ("refused" in framing) {
      // What follows on this connection cannot be trusted to start where we think: close it.
      res.setHeader("connection", "close");
      req.resume();
      return sendBadRequest(res, framing.refused);
    }
    this.forward(req, res, path, framing, true);
  }

  /**
   * GET /__pantheon/auth?token=<hand-off token>: sets this preview's cookie and sends the browser
   * to "/", so the page (and every request it makes) carries a credential of this preview alone.
   */
  private async handleReserved(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const [pathname, query = ""] = path.split("?", 2);
    const token = new URLSearchParams(query).get("token");
    if (pathname !== HANDOFF_PATH || (req.method !== "GET" && req.method !== "HEAD") || !token) return sendNotFound(res);
    let cookie: Awaited<ReturnType<PreviewHooks["redeem"]>> = null;
    try {
      cookie = await this.hooks.redeem(token, this.preview);
    } catch (err) {
      this.log.warn({ projectId: this.target.projectId, processId: this.target.processId, err }, "preview hand-off failed");
    }
    if (!cookie) return sendNotFound(res);
    sendHandoff(res, `${this.preview.cookieName}=${cookie.value}; Path=/; Max-Age=${cookie.maxAgeSeconds}; ${this.preview.cookieAttributes}`, "/");
  }

  private forward(req: IncomingMessage, res: ServerResponse, path: string, framing: Framing, mayRetry: boolean): void {
    const withBody = framing.kind !== "none";
    const proxyReq: ClientRequest = httpRequest({
      agent: this.agent,
      // host/port only name the Agent's pool; the connector decides where bytes go.
      host: "preview.invalid",
      port: this.target.port,
      method: req.method,
      path,
      headers: [...upstreamRequestHeaders(req.rawHeaders), ...framingHeaders(framing, req.method ?? "GET")],
      setHost: false,
    });
    let answered = false;
    proxyReq.on("response", (proxyRes) => {
      answered = true;
      res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, downstreamResponseHeaders(proxyRes.rawHeaders));
      proxyRes.pipe(res);
      proxyRes.on("error", () => res.destroy());
      proxyRes.on("aborted", () => res.destroy());
    });
    proxyReq.on("error", (err) => {
      if (answered || res.headersSent) return void res.destroy();
      // A pooled connection the server closed just as we reused it: retry once on a fresh one.
      if (mayRetry && proxyReq.reusedSocket && !withBody && IDEMPOTENT.has(req.method ?? "") && !(err instanceof NothingListeningError)) {
        return this.forward(req, res, path, framing, false);
      }
      if (err instanceof NothingListeningError) return sendNothingListening(res, this.target.port, err.message);
      this.log.info({ projectId: this.target.projectId, processId: this.target.processId, err: err.message }, "preview upstream failed");
      sendUpstreamFailed(res, this.target.port, err.message);
    });
    res.on("close", () => {
      if (!res.writableFinished) proxyReq.destroy();
    });
    if (withBody) req.pipe(proxyReq);
    else {
      req.resume();
      proxyReq.end();
    }
  }

  /** WebSocket handshakes (Vite's HMR): authorised like unsafe requests, then spliced through a forwarded connection of their own. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const path = forwardableTarget(req.url);
    const grant = path?.startsWith(RESERVED_PREFIX) ? null : await this.grant(req);
    if (!grant) return void socket.end(rawResponse(404, "Not Found", "Not found\n"));
    if (!path) return void socket.end(rawResponse(400, "Bad Request", "only origin-form request targets (/path) are accepted\n"));
    if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket")
      return void socket.end(rawResponse(400, "Bad Request", "only WebSocket upgrades are proxied\n"));
    const refusal = previewRequestRefusal(facts(req, true), this.preview.origin, grant);
    if (refusal) return void socket.end(rawResponse(403, "Forbidden", `${refusal}\n`));
    const framing = requestFraming(req.headers, { upgrade: true });
    if ("refused" in framing) return void socket.end(rawResponse(400, "Bad Request", `${framing.refused}\n`));

    const proxyReq = httpRequest({
      method: req.method,
      path,
      headers: upstreamRequestHeaders(req.rawHeaders, { upgrade: true }),
      setHost: false,
      createConnection: (_options, oncreate) => {
        this.hooks.connect(this.target, { eager: true }).then(
          (upstream) => oncreate(null, upstream),
          (err: unknown) => oncreate(err instanceof Error ? err : new Error(String(err)), undefined as never),
        );
        return undefined;
      },
    });
    proxyReq.on("upgrade", (proxyRes, proxySocket, proxyHead) => {
      const headers = downstreamResponseHeaders(proxyRes.rawHeaders, { upgrade: true });
      let head101 = `HTTP/1.1 101 ${proxyRes.statusMessage || "Switching Protocols"}\r\n`;
      for (let i = 0; i + 1 < headers.length; i += 2) head101 += `${headers[i]}: ${headers[i + 1]}\r\n`;
      socket.write(`${head101}\r\n`);
      if (proxyHead.length) socket.write(proxyHead);
      if (head.length) proxySocket.write(head);
      this.splice(socket, proxySocket);
    });
    proxyReq.on("response", (proxyRes) => {
      // The dev server refused the handshake: pass its answer on, then close.
      const headers = downstreamResponseHeaders(proxyRes.rawHeaders);
      let text = `HTTP/1.1 ${proxyRes.statusCode ?? 502} ${proxyRes.statusMessage ?? ""}\r\n`;
      for (let i = 0; i + 1 < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      socket.write(`${text}Connection: close\r\n\r\n`);
      proxyRes.pipe(socket);
    });
    proxyReq.on("error", (err) => {
      const nothing = err instanceof NothingListeningError;
      socket.end(rawResponse(502, "Bad Gateway", nothing ? `${err.message}\n` : `preview unavailable: ${err.message}\n`));
    });
    proxyReq.end();
  }

  private splice(client: Duplex, upstream: Duplex): void {
    this.upgraded.add(client);
    this.upgraded.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.upgraded.delete(client);
      this.upgraded.delete(upstream);
    };
    client.on("close", close);
    upstream.on("close", close);
    upstream.on("error", close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /**
   * Whether the dev server answers HTTP on its port (any status counts), over the same pooled
   * connections as the preview: the IDE shows "nothing listening" until it does.
   */
  probe(timeoutMs = 5_000): Promise<{ listening: boolean; detail: string | null }> {
    return new Promise((resolve) => {
      const proxyReq = httpRequest({
        agent: this.agent,
        host: "preview.invalid",
        port: this.target.port,
        method: "HEAD",
        path: "/",
        headers: { host: `localhost:${this.target.port}` },
        setHost: false,
        timeout: timeoutMs,
      });
      proxyReq.on("response", (res) => {
        res.resume();
        resolve({ listening: true, detail: null });
      });
      proxyReq.on("timeout", () => proxyReq.destroy(new Error(`no answer on port ${this.target.port} within ${timeoutMs} ms`)));
      proxyReq.on("error", (err) => resolve({ listening: false, detail: err.message }));
      proxyReq.end();
    });
  }

  /** Drops pooled connections and open WebSockets. */
  close(): void {
    this.agent.destroy();
    for (const socket of this.upgraded) socket.destroy();
    this.upgraded.clear();
  }
}

import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { ImageKind } from "@/server/sandbox/config";
import { rawResponse, sendBadRequest, sendNotFound, sendNothingListening, sendUpstreamFailed } from "./preview-pages";
import { downstreamResponseHeaders, forwardableTarget, upstreamRequestHeaders } from "./proxy-headers";
import { TunnelError } from "./tunnel-socket";

/** One running preview: a port inside one project's container, taken from the engine's record. */
export interface PreviewTarget {
  processId: number;
  projectId: number;
  /** The port the process serves inside its container. */
  port: number;
  /** The process's image (a connector spawned into a fresh container would need one). */
  image: ImageKind;
}

export interface PreviewHooks {
  /** Whether the request's credentials (session cookie or Bearer key) open this project's preview. */
  authorize(headers: Headers, target: PreviewTarget): Promise<boolean>;
  /** A fresh byte stream to 127.0.0.1:<target.port> inside the project's container. */
  connect(target: PreviewTarget): Promise<Duplex>;
}

/** Idle pooled connections are dropped before the dev server's own keep-alive timeout (Node's is 5 s). */
const FREE_SOCKET_IDLE_MS = 4_000;
const MAX_UPSTREAM_CONNECTIONS = 8;

/** node:http's Agent with connections made by the tunnel instead of TCP, pooled with keep-alive. */
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

function headersOf(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The reverse proxy for one preview target: authorises each request and WebSocket handshake,
 * then forwards it, headers filtered (proxy-headers.ts), over pooled tunnel connections. Every
 * byte goes to the target's port in the target's container: nothing in the request chooses where.
 */
export class PreviewProxy {
  private readonly agent: TunnelAgent;
  private readonly upgraded = new Set<Duplex>();

  constructor(
    readonly target: PreviewTarget,
    private readonly hooks: PreviewHooks,
    private readonly log: Logger,
  ) {
    this.agent = new TunnelAgent(() => hooks.connect(target));
  }

  private async allowed(req: IncomingMessage): Promise<boolean> {
    try {
      return await this.hooks.authorize(headersOf(req.headers), this.target);
    } catch (err) {
      this.log.warn({ projectId: this.target.projectId, processId: this.target.processId, err }, "preview authorisation failed");
      return false;
    }
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await this.allowed(req))) {
      req.resume();
      return sendNotFound(res);
    }
    const path = forwardableTarget(req.url);
    if (!path) {
      req.resume();
      return sendBadRequest(res, "only origin-form request targets (/path) are accepted");
    }
    this.forward(req, res, path, true);
  }

  private forward(req: IncomingMessage, res: ServerResponse, path: string, mayRetry: boolean): void {
    const withBody = hasBody(req);
    const proxyReq: ClientRequest = httpRequest({
      agent: this.agent,
      // host/port only name the Agent's pool; the tunnel decides where bytes go.
      host: "preview.invalid",
      port: this.target.port,
      method: req.method,
      path,
      headers: upstreamRequestHeaders(req.rawHeaders),
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
      if (mayRetry && proxyReq.reusedSocket && !withBody && IDEMPOTENT.has(req.method ?? "") && !(err instanceof TunnelError)) {
        return this.forward(req, res, path, false);
      }
      if (err instanceof TunnelError) return sendNothingListening(res, this.target.port, err.message);
      this.log.info({ projectId: this.target.projectId, processId: this.target.processId, err: err.message }, "preview upstream failed");
      sendUpstreamFailed(res, this.target.port, err.message);
    });
    res.on("close", () => {
      if (!res.writableFinished) proxyReq.destroy();
    });
    if (withBody) req.pipe(proxyReq);
    else proxyReq.end();
  }

  /** WebSocket handshakes (Vite's HMR): authorised like requests, then spliced through a tunnel of their own. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    if (!(await this.allowed(req))) return void socket.end(rawResponse(404, "Not Found", "Not found\n"));
    const path = forwardableTarget(req.url);
    if (!path) return void socket.end(rawResponse(400, "Bad Request", "only origin-form request targets (/path) are accepted\n"));
    if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket")
      return void socket.end(rawResponse(400, "Bad Request", "only WebSocket upgrades are proxied\n"));

    const proxyReq = httpRequest({
      method: req.method,
      path,
      headers: upstreamRequestHeaders(req.rawHeaders, { upgrade: true }),
      setHost: false,
      createConnection: (_options, oncreate) => {
        this.hooks.connect(this.target).then(
          (tunnel) => oncreate(null, tunnel),
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
      const nothing = err instanceof TunnelError;
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

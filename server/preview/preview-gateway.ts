import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { sendNotFound, rawResponse } from "./preview-pages";
import { PreviewProxy, type PreviewHooks, type PreviewTarget, type ServedPreview } from "./preview-proxy";
import { type PreviewSettings, previewCookie, previewOrigin, refusedPortReason, slotOfHost } from "./preview-settings";
import { previewCookieName } from "./proxy-headers";

export class PreviewPortsExhausted extends Error {
  constructor(range: { from: number; to: number }) {
    super(`every preview port (${range.from}-${range.to}) is in use; stop a running preview first`);
    this.name = "PreviewPortsExhausted";
  }
}

interface Listener {
  /** Same-host mode: the preview's own server. Domain mode: none (the shared one routes by Host). */
  server: Server | null;
  proxy: PreviewProxy;
}

/**
 * The preview listeners. Same-host mode: one HTTP server per running preview, on a port of its own
 * from the configured range, so every preview is its own origin (never the app's). Domain mode
 * (SANDBOX_PREVIEW_DOMAIN): one server for all, each preview a host name `<slot>.<base>` of its
 * own. Either way frameworks work at "/" unmodified. A preview opens when a process with a port
 * starts, and closes when it ends.
 */
export class PreviewGateway {
  private readonly listeners = new Map<number, Listener>();
  private readonly opening = new Set<number>();
  private cursor: number;
  private stopped = false;
  private shared: Promise<Server> | null = null;

  constructor(
    readonly settings: PreviewSettings,
    private readonly hooks: PreviewHooks,
    private readonly log: Logger,
  ) {
    this.cursor = settings.ports.from;
  }

  /** Opens a preview for the target and returns its slot (listener port, or host label in domain mode). */
  async open(target: PreviewTarget): Promise<number> {
    if (this.stopped) throw new Error("the preview gateway is stopped");
    const refused = refusedPortReason(target.port, this.settings);
    if (refused) throw new Error(refused);
    if (this.settings.domain) await this.sharedListener();
    const { from, to } = this.settings.ports;
    const size = to - from + 1;
    for (let tried = 0; tried < size; tried++) {
      const slot = this.cursor;
      this.cursor = slot >= to ? from : slot + 1;
      if (this.listeners.has(slot) || this.opening.has(slot)) continue;
      this.opening.add(slot);
      try {
        const proxy = new PreviewProxy(this.served(target, slot), this.hooks, this.log);
        const server = this.settings.domain ? null : this.createServer(() => proxy);
        if (!server || (await this.bind(server, slot, this.settings.host))) {
          this.listeners.set(slot, { server, proxy });
          this.log.info({ projectId: target.projectId, processId: target.processId, port: target.port, previewPort: slot }, "preview open");
          return slot;
        }
      } finally {
        this.opening.delete(slot);
      }
    }
    throw new PreviewPortsExhausted(this.settings.ports);
  }

  private served(target: PreviewTarget, slot: number): ServedPreview {
    const cookie = previewCookie(this.settings);
    return {
      target,
      slot,
      origin: previewOrigin(this.settings, slot),
      cookieName: previewCookieName(slot, cookie.hostPrefix),
      cookieAttributes: cookie.attributes,
    };
  }

  /** Domain mode's one listener, bound once (a failure is retried on the next open). */
  private sharedListener(): Promise<Server> {
    const domain = this.settings.domain;
    if (!domain) throw new Error("no preview domain is configured");
    this.shared ??= (async () => {
      const server = this.createServer((req) => {
        const slot = slotOfHost(domain, req.headers.host);
        return slot === null ? null : (this.listeners.get(slot)?.proxy ?? null);
      });
      if (!(await this.bind(server, domain.listenPort, this.settings.host))) throw new Error(`the preview listener port ${domain.listenPort} is in use`);
      this.log.info({ port: domain.listenPort, domain: domain.base }, "preview domain listener open");
      return server;
    })().catch((err: unknown) => {
      this.shared = null;
      throw err;
    });
    return this.shared;
  }

  /** An HTTP server whose requests and upgrades go to the proxy `route` picks (404 when none). */
  private createServer(route: (req: IncomingMessage) => PreviewProxy | null): Server {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const proxy = route(req);
      if (!proxy) {
        req.resume();
        return sendNotFound(res);
      }
      proxy.handleRequest(req, res).catch((err: unknown) => {
        this.log.error({ err, projectId: proxy.target.projectId }, "preview request failed");
        res.destroy();
      });
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const proxy = route(req);
      if (!proxy) return void socket.end(rawResponse(404, "Not Found", "Not found\n"));
      proxy.handleUpgrade(req, socket, head).catch((err: unknown) => {
        this.log.error({ err, projectId: proxy.target.projectId }, "preview upgrade failed");
        socket.destroy();
      });
    });
    // CONNECT would make this a forward proxy: with no "connect" listener Node closes the socket.
    // A request Node cannot parse (conflicting Content-Length / Transfer-Encoding, bad chunking)
    // gets a plain 400 and the connection closes: nothing half-read ever reaches a dev server.
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (socket.writable && err.code !== "ECONNRESET") socket.end(rawResponse(400, "Bad Request", "Bad request: malformed HTTP\n"));
      else socket.destroy();
    });
    server.maxConnections = this.settings.domain ? 4096 : 256;
    return server;
  }

  /** false when another program holds the port (the next one is tried). */
  private bind(server: Server, port: number, host: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off("listening", onListening);
        if (err.code === "EADDRINUSE" || err.code === "EACCES") resolve(false);
        else reject(err);
      };
      const onListening = () => {
        server.off("error", onError);
        resolve(true);
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(port, host);
    });
  }

  /** Closes a preview (its listener in same-host mode) and every connection through it. Idempotent. */
  async close(slot: number): Promise<void> {
    const listener = this.listeners.get(slot);
    if (!listener) return;
    this.listeners.delete(slot);
    listener.proxy.close();
    const server = listener.server;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    this.log.info({ projectId: listener.proxy.target.projectId, previewPort: slot }, "preview closed");
  }

  /** Whether the preview's dev server answers yet; null when no preview has that slot. */
  async probe(slot: number): Promise<{ listening: boolean; detail: string | null } | null> {
    return (await this.listeners.get(slot)?.proxy.probe()) ?? null;
  }

  /** The target a slot serves (tests and diagnostics). */
  targetOf(slot: number): PreviewTarget | null {
    return this.listeners.get(slot)?.proxy.target ?? null;
  }

  /** The preview a slot serves, with its origin and cookie name. */
  servedAt(slot: number): ServedPreview | null {
    return this.listeners.get(slot)?.proxy.preview ?? null;
  }

  openPorts(): number[] {
    return [...this.listeners.keys()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.listeners.keys()].map((slot) => this.close(slot)));
    const shared = this.shared;
    this.shared = null;
    const server = await shared?.catch(() => null);
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  }
}

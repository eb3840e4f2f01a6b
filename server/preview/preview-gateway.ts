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

/**
 * Previews another instance runs (domain mode: any instance's listener answers every slot's host
 * name). `find` names the process a slot belongs to and how to reach its port through its holder.
 */
export interface RemotePreviews {
  find(slot: number): Promise<{ target: PreviewTarget; heldBy: string; connect: (target: PreviewTarget) => Promise<Duplex> } | null>;
}

/** How long a remote preview's lookup is reused before the row is read again (its pooled connections with it). */
const REMOTE_RECHECK_MS = 2_000;

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
  private readonly remotes = new Map<number, { proxy: PreviewProxy; until: number }>();
  private readonly opening = new Set<number>();
  private cursor: number;
  private stopped = false;
  private shared: Promise<Server> | null = null;

  constructor(
    readonly settings: PreviewSettings,
    private readonly hooks: PreviewHooks,
    private readonly log: Logger,
    private readonly remote: RemotePreviews | null = null,
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

  /**
   * Domain mode with remote previews: binds the one listener now, not on this instance's first
   * preview, since it also answers the previews other instances run.
   */
  async listen(): Promise<void> {
    if (this.settings.domain && this.remote) await this.sharedListener();
  }

  /** The proxy of a preview another instance runs, looked up by slot (reused for REMOTE_RECHECK_MS). */
  private async remoteProxy(slot: number): Promise<PreviewProxy | null> {
    if (!this.remote) return null;
    const cached = this.remotes.get(slot);
    if (cached && cached.until > Date.now()) return cached.proxy;
    const found = await this.remote.find(slot);
    const current = this.remotes.get(slot);
    if (current && (!found || current.proxy.target.processId !== found.target.processId || current.proxy.preview.heldBy !== found.heldBy)) {
      this.remotes.delete(slot);
      current.proxy.close();
    }
    if (!found || this.stopped) return null;
    const kept = this.remotes.get(slot);
    if (kept) {
      kept.until = Date.now() + REMOTE_RECHECK_MS;
      return kept.proxy;
    }
    const proxy = new PreviewProxy({ ...this.served(found.target, slot), heldBy: found.heldBy }, { ...this.hooks, connect: found.connect }, this.log);
    this.remotes.set(slot, { proxy, until: Date.now() + REMOTE_RECHECK_MS });
    return proxy;
  }

  /** A fresh upstream connection to the port of a process whose preview is open here (for a peer's tunnel); null when none is. */
  async connectHeld(processId: number): Promise<Duplex | null> {
    for (const { proxy } of this.listeners.values()) if (proxy.target.processId === processId) return this.hooks.connect(proxy.target);
    return null;
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
        if (slot === null) return null;
        return this.listeners.get(slot)?.proxy ?? this.remoteProxy(slot);
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
  private createServer(route: (req: IncomingMessage) => PreviewProxy | null | Promise<PreviewProxy | null>): Server {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      void Promise.resolve(route(req))
        .then((proxy) => {
          if (!proxy) {
            req.resume();
            return sendNotFound(res);
          }
          return proxy.handleRequest(req, res);
        })
        .catch((err: unknown) => {
          this.log.error({ err }, "preview request failed");
          res.destroy();
        });
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void Promise.resolve(route(req))
        .then((proxy) => {
          if (!proxy) return void socket.end(rawResponse(404, "Not Found", "Not found\n"));
          return proxy.handleUpgrade(req, socket, head);
        })
        .catch((err: unknown) => {
          this.log.error({ err }, "preview upgrade failed");
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
    for (const { proxy } of this.remotes.values()) proxy.close();
    this.remotes.clear();
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

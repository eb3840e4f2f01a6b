import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { PreviewProxy, type PreviewHooks, type PreviewTarget } from "./preview-proxy";
import { type PreviewSettings, refusedPortReason } from "./preview-settings";

export class PreviewPortsExhausted extends Error {
  constructor(range: { from: number; to: number }) {
    super(`every preview port (${range.from}-${range.to}) is in use; stop a running preview first`);
    this.name = "PreviewPortsExhausted";
  }
}

interface Listener {
  server: Server;
  proxy: PreviewProxy;
}

/**
 * The preview listeners: one HTTP server per running preview, on a port of its own from the
 * configured range, so every preview is its own origin (never the app's) and frameworks work at
 * "/" unmodified. Opened when a process with a port starts, closed when it ends.
 */
export class PreviewGateway {
  private readonly listeners = new Map<number, Listener>();
  private readonly opening = new Set<number>();
  private cursor: number;
  private stopped = false;

  constructor(
    readonly settings: PreviewSettings,
    private readonly hooks: PreviewHooks,
    private readonly log: Logger,
  ) {
    this.cursor = settings.ports.from;
  }

  /** Opens a listener for the target on a free port of the range and returns that port. */
  async open(target: PreviewTarget): Promise<number> {
    if (this.stopped) throw new Error("the preview gateway is stopped");
    const refused = refusedPortReason(target.port, this.settings);
    if (refused) throw new Error(refused);
    const { from, to } = this.settings.ports;
    const size = to - from + 1;
    for (let tried = 0; tried < size; tried++) {
      const port = this.cursor;
      this.cursor = port >= to ? from : port + 1;
      if (this.listeners.has(port) || this.opening.has(port)) continue;
      this.opening.add(port);
      try {
        const listener = this.createListener(target);
        if (await this.bind(listener.server, port)) {
          this.listeners.set(port, listener);
          this.log.info({ projectId: target.projectId, processId: target.processId, port: target.port, previewPort: port }, "preview listener open");
          return port;
        }
      } finally {
        this.opening.delete(port);
      }
    }
    throw new PreviewPortsExhausted(this.settings.ports);
  }

  private createListener(target: PreviewTarget): Listener {
    const proxy = new PreviewProxy(target, this.hooks, this.log);
    const server = createServer((req, res) => {
      proxy.handleRequest(req, res).catch((err: unknown) => {
        this.log.error({ err, projectId: target.projectId }, "preview request failed");
        res.destroy();
      });
    });
    server.on("upgrade", (req, socket, head: Buffer) => {
      proxy.handleUpgrade(req, socket, head).catch((err: unknown) => {
        this.log.error({ err, projectId: target.projectId }, "preview upgrade failed");
        socket.destroy();
      });
    });
    // CONNECT would make this a forward proxy: with no "connect" listener Node closes the socket.
    server.on("clientError", (_err, socket) => socket.destroy());
    server.maxConnections = 256;
    return { server, proxy };
  }

  /** false when another program holds the port (the next one is tried). */
  private bind(server: Server, port: number): Promise<boolean> {
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
      server.listen(port, this.settings.host);
    });
  }

  /** Closes a preview's listener and every connection through it. Idempotent. */
  async close(previewPort: number): Promise<void> {
    const listener = this.listeners.get(previewPort);
    if (!listener) return;
    this.listeners.delete(previewPort);
    listener.proxy.close();
    await new Promise<void>((resolve) => {
      listener.server.close(() => resolve());
      listener.server.closeAllConnections();
    });
    this.log.info({ projectId: listener.proxy.target.projectId, previewPort }, "preview listener closed");
  }

  /** Whether the preview's dev server answers yet; null when no listener has that port. */
  async probe(previewPort: number): Promise<{ listening: boolean; detail: string | null } | null> {
    return (await this.listeners.get(previewPort)?.proxy.probe()) ?? null;
  }

  /** The target a listener port serves (tests and diagnostics). */
  targetOf(previewPort: number): PreviewTarget | null {
    return this.listeners.get(previewPort)?.proxy.target ?? null;
  }

  openPorts(): number[] {
    return [...this.listeners.keys()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.listeners.keys()].map((port) => this.close(port)));
  }
}

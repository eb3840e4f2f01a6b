import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { SHELL_CLOSE, SHELL_PATH_PREFIX, shellSizeFromQuery, type ShellServerMessage } from "@/lib/shell-protocol";
import { sessionCaller } from "@/server/auth/resolve-caller";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { authenticateHop } from "@/server/services/cluster/cluster-routes";
import { hopUser } from "@/server/services/cluster/instance-hop";
import { CLUSTER_PATH_PREFIX } from "@/server/services/cluster/instance-peers";
import { proxyUpgrade } from "@/server/services/cluster/instance-proxy";
import { currentServerInstance } from "@/server/services/records/server-instance";
import { headersOf } from "@/server/http/node-headers";
import { authorizeShell, type ShellLimits, startShell } from "@/server/services/terminal/shell-service";
import { runShellSession } from "./shell-session";
import type { UpgradeHandler } from "./upgrade-router";

export interface ShellRouteOptions {
  /** The app's public origin (NEXTAUTH_URL's): the only Origin a shell socket is accepted from. */
  allowedOrigin: string;
  idleMs: number;
  /** Shells open at once per user in a project and per user (SANDBOX_SHELL_MAX_*), handed in by server/main.ts. */
  limits: ShellLimits;
  heartbeatMs?: number;
  log: Logger;
  /** The instance holding the project's container (server/services/cluster/locate-project.ts); null or absent: this one. */
  locate?: (projectId: number) => Promise<string | null>;
}

const PATH = new RegExp(`^${SHELL_PATH_PREFIX}(\\d{1,10})$`);
/** A shell another instance accepted for a project whose container is here (a signed hop: services/cluster/instance-hop.ts). */
export const PEER_SHELL_PREFIX = `${CLUSTER_PATH_PREFIX}shell/`;
const PEER_PATH = new RegExp(`^${PEER_SHELL_PREFIX}(\\d{1,10})$`);
const REASON: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error" };

/** Answers an upgrade request with a plain HTTP refusal: no WebSocket is ever opened. */
function refuse(socket: Duplex, status: number, message: string) {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${REASON[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * GET /ws/shell/<projectId>?cols=&rows= upgraded to a WebSocket carrying an interactive shell.
 * Before any WebSocket exists: the Origin must be the app's own (a cross-site page cannot ride
 * the user's cookie: CSWSH), the next-auth session cookie must name a user (401; API keys are not
 * accepted: a shell is a person at a browser), and the project must be theirs (404, like a missing
 * one). Limits and engine failures come after the upgrade, as an "error" message the terminal
 * shows, then a close code.
 */
export function createShellRoute(options: ShellRouteOptions): {
  prefix: string;
  handler: UpgradeHandler;
  peerPrefix: string;
  peerHandler: UpgradeHandler;
  close: () => Promise<void>;
} {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false, clientTracking: true });
  const log = options.log.child({ component: "shell-route" });

  const projectIdOf = (pattern: RegExp, url: URL) => {
    const match = pattern.exec(url.pathname);
    const projectId = Number(match?.[1]);
    return match && Number.isSafeInteger(projectId) && projectId >= 1 && projectId <= 2_147_483_647 ? projectId : null;
  };

  const handler: UpgradeHandler = (req, socket, head) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const projectId = projectIdOf(PATH, url);
      if (projectId === null) return refuse(socket, 404, "Not found");
      if (req.headers.origin !== options.allowedOrigin) {
        log.warn({ origin: req.headers.origin ?? null, projectId }, "shell socket refused: foreign origin");
        return refuse(socket, 403, "Cross-origin shell connections are refused");
      }
      const headers = headersOf(req);
      const { user, authError } = await sessionCaller(headers);
      if (!user) return refuse(socket, 401, authError ?? "Sign in to open a shell");
      await accept(req, socket, head, url, user, projectId, true);
    })().catch(failed(socket));
  };

  // The other half of a proxied shell: the caller was authenticated by the instance that signed the hop.
  const peerHandler: UpgradeHandler = (req, socket, head) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const projectId = projectIdOf(PEER_PATH, url);
      const claims = projectId === null ? null : authenticateHop(req);
      const user = claims && hopUser(claims);
      if (projectId === null || !user) return refuse(socket, 404, "Not found");
      await accept(req, socket, head, url, user, projectId, false);
    })().catch(failed(socket));
  };

  const failed = (socket: Duplex) => (e: unknown) => {
    log.error({ err: e }, "shell upgrade failed");
    refuse(socket, 500, "Internal server error");
  };

  /** The caller may open a shell in the project: here, or (`mayForward`) on the instance holding its container. */
  const accept = async (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, user: AuthUser, projectId: number, mayForward: boolean) => {
    let project;
    try {
      project = await authorizeShell(user, projectId);
    } catch (e) {
      if (e instanceof AppError && e.code === "NOT_FOUND") return refuse(socket, 404, e.message);
      throw e;
    }
    if (socket.destroyed) return;
    const owner = mayForward ? await options.locate?.(projectId) : null;
    if (
      owner &&
      owner !== currentServerInstance()?.id &&
      (await proxyUpgrade(req, socket, head, owner, `${PEER_SHELL_PREFIX}${projectId}${url.search}`, user))
    ) {
      log.info({ userId: user.id, projectId, owner }, "shell forwarded to the instance holding the project");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      void (async () => {
        const abort = new AbortController();
        ws.once("close", () => abort.abort());
        try {
          const shell = await startShell(user, project, shellSizeFromQuery(url.searchParams), options.limits, abort.signal);
          if (ws.readyState !== ws.OPEN) {
            shell.release();
            return void shell.process.kill();
          }
          log.info({ userId: user.id, projectId, pid: shell.process.pid }, "shell opened");
          runShellSession(ws, shell, { idleMs: options.idleMs, log, ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}) });
        } catch (e) {
          const code =
            e instanceof AppError && e.code === "TOO_MANY_REQUESTS" ? "limit" : e instanceof AppError && e.code === "UNAVAILABLE" ? "unavailable" : "internal";
          if (code === "internal") log.error({ err: e, projectId }, "shell failed to start");
          const message: ShellServerMessage = {
            type: "error",
            code,
            message: code === "internal" ? "The shell could not start; try again" : (e as AppError).message,
          };
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
          ws.close(SHELL_CLOSE[code], code);
        }
      })();
    });
  };

  const close = () =>
    new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => resolve());
    });

  return { prefix: SHELL_PATH_PREFIX, handler, peerPrefix: PEER_SHELL_PREFIX, peerHandler, close };
}

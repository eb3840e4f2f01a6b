import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Routes HTTP upgrades by path prefix: our own WebSocket endpoints (interactive terminal,
 * previews) first, Next's (dev HMR) for /_next/, and a plain 404 for anything else.
 */
export function createUpgradeRouter(routes: Array<[prefix: string, handler: UpgradeHandler]>, nextUpgrade: UpgradeHandler | null): UpgradeHandler {
  return (req, socket, head) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = routes.find(([prefix]) => path.startsWith(prefix));
    if (route) return route[1](req, socket, head);
    if (nextUpgrade && path.startsWith("/_next/")) return nextUpgrade(req, socket, head);
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  };
}

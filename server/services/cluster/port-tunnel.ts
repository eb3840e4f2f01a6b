import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import type { PreviewTarget } from "@/server/preview/preview-proxy";
import { NothingListeningError } from "@/server/sandbox/agent-net";
import { authenticateHop } from "./cluster-routes";
import { CLUSTER_PATH_PREFIX, peerRequest } from "./instance-peers";

// Previews through any instance (SCALE.md): a preview URL reached through an instance that does not
// run the dev server is authenticated there and its request rules applied there, as for a local
// one; only its upstream byte stream comes from the instance running the process. That instance
// answers a signed hop to `/__pantheon/cluster/port/:processId` with an upgrade to a raw tunnel to
// the process's port (its own engine.connectPort), so the HTTP and WebSocket bytes of the preview
// cross instances untouched.

export const PORT_TUNNEL_PREFIX = `${CLUSTER_PATH_PREFIX}port/`;
const PORT_TUNNEL = new RegExp(`^${PORT_TUNNEL_PREFIX}(\\d{1,10})$`);
const UPGRADE = "pantheon-port";
/** The holder's answer when nothing accepts on the port, so the peer shows the same 502 page as a local preview. */
const NOTHING_LISTENING = "x-pantheon-nothing-listening";

const raw = (status: string, extra = "") => `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`;

/** The holder's side: an upgrade handler that opens `connectHeld(processId)` for a signed hop, 404 for anything else. */
export function createPortTunnelRoute(connectHeld: (processId: number) => Promise<Duplex | null>) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const match = PORT_TUNNEL.exec((req.url ?? "/").split("?")[0] ?? "/");
    if (!match || req.method !== "GET" || !authenticateHop(req)) return void socket.end(raw("404 Not Found"));
    connectHeld(Number(match[1])).then(
      (upstream) => {
        if (!upstream) return void socket.end(raw("404 Not Found"));
        if (socket.destroyed) return void upstream.destroy();
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${UPGRADE}\r\n\r\n`);
        if (head.length) upstream.write(head);
        join(socket, upstream);
      },
      (err: unknown) => socket.end(raw("502 Bad Gateway", err instanceof NothingListeningError ? `${NOTHING_LISTENING}: 1\r\n` : "")),
    );
  };
}

/** The peer's side: a byte stream to `target`'s port through `heldBy`, as the preview proxy's `connect`. */
export async function connectThroughPeer(heldBy: string, target: PreviewTarget): Promise<Duplex> {
  const peer = await peerRequest(heldBy, "GET", `${PORT_TUNNEL_PREFIX}${target.processId}`);
  if (!peer) throw new Error("the instance running this preview is unreachable");
  const url = new URL(peer.url);
  return new Promise<Duplex>((resolve, reject) => {
    const out = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      headers: { ...peer.headers, connection: "Upgrade", upgrade: UPGRADE },
      timeout: 10_000,
    });
    out.on("upgrade", (_res: IncomingMessage, upstream: Duplex, upstreamHead: Buffer) => {
      out.setTimeout(0);
      if (upstreamHead.length) upstream.unshift(upstreamHead);
      resolve(upstream);
    });
    out.on("response", (res: IncomingMessage) => {
      res.resume();
      reject(
        res.headers[NOTHING_LISTENING] ? new NothingListeningError(target.port) : new Error(`the instance running this preview refused (${res.statusCode})`),
      );
    });
    out.on("timeout", () => out.destroy(new Error("the instance running this preview did not answer")));
    out.on("error", reject);
    out.end();
  });
}

/**
 * Whether the dev server of a preview held by `heldBy` answers HTTP (any status counts), asked
 * through the same tunnel the preview's bytes take: what `processes.probe` answers for a process
 * that runs on another instance, as the local probe does for one here.
 */
export async function probeThroughPeer(heldBy: string, target: PreviewTarget, timeoutMs = 5_000): Promise<{ listening: boolean; detail: string | null }> {
  let tunnel: Duplex;
  try {
    tunnel = await connectThroughPeer(heldBy, target);
  } catch (err) {
    return { listening: false, detail: err instanceof Error ? err.message : String(err) };
  }
  return new Promise((resolve) => {
    const probe = httpRequest({
      createConnection: () => tunnel,
      method: "HEAD",
      path: "/",
      headers: { host: `localhost:${target.port}` },
      setHost: false,
      timeout: timeoutMs,
    });
    probe.on("response", (res) => {
      res.resume();
      tunnel.destroy();
      resolve({ listening: true, detail: null });
    });
    probe.on("timeout", () => probe.destroy(new Error(`no answer on port ${target.port} within ${timeoutMs} ms`)));
    probe.on("error", (err) => {
      tunnel.destroy();
      resolve({ listening: false, detail: err.message });
    });
    probe.end();
  });
}

function join(a: Duplex, b: Duplex): void {
  a.pipe(b).pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", close).on("close", close);
  b.on("error", close).on("close", close);
}

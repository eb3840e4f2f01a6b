import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import type { AuthUser } from "@/server/auth/auth-user";
import { peerRequest } from "./instance-peers";

// A WebSocket that reached this instance for a sandbox another instance holds (a shell into a
// project whose container is there; SCALE.md "Shells and previews through any instance"). This
// instance has authenticated the caller and checked the project; the upgrade goes on to the
// holder as a signed hop carrying that caller (instance-hop.ts), and from then on the two sockets
// are joined byte for byte: the WebSocket frames pass through untouched, the holder runs the
// session (its idle timer, its heartbeat, its close codes), and a close on either side closes both.

/** Headers of the browser's handshake the holder needs to complete it (no cookie, no Authorization: the hop is the credential). */
const HANDSHAKE_HEADERS = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol", "user-agent"] as const;

/**
 * Joins the browser's upgrade to `owner`'s `path`. False, touching nothing, when the owner cannot
 * be reached as a peer (this instance, dead, no address): the caller serves the request itself.
 */
export async function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, owner: string, path: string, user: AuthUser): Promise<boolean> {
  const peer = await peerRequest(owner, "GET", path, user);
  if (!peer || socket.destroyed) return false;
  const headers: Record<string, string> = { ...peer.headers, connection: "Upgrade", upgrade: "websocket" };
  for (const name of HANDSHAKE_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  const url = new URL(peer.url);
  const out = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { method: "GET", headers, timeout: 10_000 });
  out.on("upgrade", (res: IncomingMessage, upstream: Duplex, upstreamHead: Buffer) => {
    // The holder's 101 goes back as it came; then each side's bytes go to the other.
    const lines = [`HTTP/1.1 101 Switching Protocols`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (upstreamHead.length) socket.write(upstreamHead);
    if (head.length) upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on("error", close).on("close", close);
    socket.on("error", close).on("close", close);
  });
  out.on("response", (res: IncomingMessage) => {
    // The holder refused (its own checks): the browser gets the same status.
    res.resume();
    const body = `The sandbox's instance refused the connection (${res.statusCode})\n`;
    socket.end(
      `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? "Bad Gateway"}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  const unreachable = () => {
    out.destroy();
    const body = "The instance that holds this sandbox is unreachable; try again\n";
    if (!socket.destroyed)
      socket.end(
        `HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
  };
  out.on("error", unreachable).on("timeout", unreachable);
  out.end();
  return true;
}

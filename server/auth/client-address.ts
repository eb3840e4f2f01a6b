import type { IncomingMessage } from "node:http";
import { isIPv4, isIPv6 } from "node:net";

/**
 * The header the custom server writes on every request with the client's address (any value a
 * client sent under this name is overwritten first). Next's own X-Forwarded-For keeps whatever
 * the client sent, so it cannot key a throttle.
 */
export const CLIENT_ADDRESS_HEADER = "x-pantheon-client-address";

/**
 * The client's address: the socket's peer, or, behind `trustedProxyHops` reverse proxies that
 * each append to X-Forwarded-For, the entry that many places from the right (the one the
 * nearest trusted proxy saw). Entries left of that are the client's to invent.
 */
export function clientAddressOf(req: IncomingMessage, trustedProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? "unknown";
  if (trustedProxyHops === 0) return peer;
  const forwarded = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[hops.length - trustedProxyHops] ?? peer;
}

/** Stamps the request with its client address, for route handlers that only see headers. */
export function stampClientAddress(req: IncomingMessage, trustedProxyHops: number): void {
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddressOf(req, trustedProxyHops);
}

/**
 * The throttle key of an address: IPv4 as it is, IPv6 by its /64 (one subscriber usually holds a
 * whole /64, so per-address keys would give an attacker 2^64 fresh budgets), IPv4-mapped IPv6 as
 * IPv4. Anything else (no stamp: a test, a misconfigured proxy) shares one key.
 */
export function clientThrottleKey(address: string | null | undefined): string {
  const value = (address ?? "").trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(value)) return value;
  if (isIPv6(value)) return `${expandIPv6(value).slice(0, 4).join(":")}::/64`;
  return "unknown";
}

function expandIPv6(address: string): string[] {
  const [head = "", tail = ""] = (address.split("%")[0] ?? "").split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right].map((g) => (g.includes(".") ? g : g.toLowerCase().padStart(4, "0")));
}

// The pure rules for plain-HTTP forwarding (absolute-form `GET http://host/ HTTP/1.1`): which
// host the upstream is told (Host), how the body is framed, which headers cross the proxy.
// Behind a CDN the Host header, not the address, picks the site: it is rewritten to the allowed
// target and a request whose Host names something else is refused. Bodies are framed explicitly
// on the upstream request (Content-Length or chunked, decided here), never left to defaults: a
// body sent without framing is read by the upstream as the next request (request smuggling).
import { parseHost } from "./address-policy";

/** Methods a proxy client may use; the rest (TRACE, PURGE, WebDAV...) are refused with 405. */
export const FORWARDED_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Connection-scoped headers (RFC 9110 §7.6.1), plus the ones this proxy sets itself (Host,
 * framing) and Expect (the proxy has already answered 100-continue to the client).
 */
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "expect",
]);

export type BodyFraming = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" };

/**
 * How the client framed its request body. Node's parser already refuses Content-Length together
 * with Transfer-Encoding, differing Content-Lengths and a Transfer-Encoding not ending in chunked;
 * this refuses them again (defence in depth) and also any coding but plain "chunked".
 */
export function requestFraming(headers: Record<string, string | string[] | undefined>): BodyFraming | { error: string } {
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  if (te !== undefined && cl !== undefined) return { error: "both Content-Length and Transfer-Encoding" };
  if (te !== undefined) {
    if (typeof te !== "string" || te.trim().toLowerCase() !== "chunked") return { error: "Transfer-Encoding other than chunked" };
    return { kind: "chunked" };
  }
  if (cl !== undefined) {
    if (typeof cl !== "string" || !/^[0-9]{1,15}$/.test(cl)) return { error: "invalid Content-Length" };
    return { kind: "length", length: Number(cl) };
  }
  return { kind: "none" };
}

/** Canonical form of a host for comparison: a name lower-cased without its trailing dot, or an address. */
function canonicalHost(raw: string): string | null {
  const parsed = parseHost(raw);
  if ("error" in parsed) return null;
  if (parsed.kind === "name") return parsed.name;
  return parsed.addr.kind() === "ipv6" ? `[${parsed.addr.toString()}]` : parsed.addr.toString();
}

export interface ForwardTarget {
  /** The URL's host as the proxy will connect to it (URL.hostname: IPv6 in brackets). */
  host: string;
  port: number;
}

/** The Host value sent upstream: the target itself (port only when not 80). */
export function upstreamHost(target: ForwardTarget): string | null {
  const host = canonicalHost(target.host);
  if (!host) return null;
  return target.port === 80 ? host : `${host}:${target.port}`;
}

/**
 * The Host header(s) the client sent must name the absolute-form target (same host, same port,
 * 80 by default). None is accepted (HTTP/1.0; Node refuses an HTTP/1.1 request without one): the
 * proxy writes the target's own Host either way.
 */
export function checkHostHeader(rawHeaders: readonly string[], target: ForwardTarget): { ok: true } | { ok: false; reason: string } {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === "host") values.push(rawHeaders[i + 1]!);
  if (values.length > 1) return { ok: false, reason: "more than one Host header" };
  const value = values[0];
  if (value === undefined) return { ok: true };
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::([0-9]{1,5}))?$/.exec(value.trim());
  const host = m?.[1] ? canonicalHost(m[1]) : null;
  const port = m?.[2] !== undefined ? Number(m[2]) : 80;
  const want = canonicalHost(target.host);
  if (!host || host !== want || port !== target.port) {
    return { ok: false, reason: `Host header ${JSON.stringify(value.slice(0, 100))} does not match the request target ${want ?? target.host}:${target.port}` };
  }
  return { ok: true };
}

/** Header names listed in Connection are connection-scoped too (RFC 9110 §7.6.1). */
function connectionTokens(rawHeaders: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== "connection") continue;
    for (const token of rawHeaders[i + 1]!.split(",")) if (token.trim()) out.add(token.trim().toLowerCase());
  }
  return out;
}

/** End-to-end headers of a message, in order and as sent (a flat [name, value, ...] list). */
export function endToEndHeaders(rawHeaders: readonly string[]): string[] {
  const drop = connectionTokens(rawHeaders);
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (NOT_FORWARDED.has(name) || drop.has(name)) continue;
    out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

/** The upstream request's headers: the client's end-to-end ones, the target's Host, explicit framing. */
export function upstreamRequestHeaders(rawHeaders: readonly string[], host: string, framing: BodyFraming): string[] {
  const out = ["Host", host, ...endToEndHeaders(rawHeaders)];
  if (framing.kind === "length") out.push("Content-Length", String(framing.length));
  else if (framing.kind === "chunked") out.push("Transfer-Encoding", "chunked");
  return out;
}

/**
 * The response's headers toward the client. Its Content-Length is kept (the proxy relays exactly
 * that many bytes); without one, Node frames the relayed body itself (chunked for HTTP/1.1
 * clients, close-delimited for HTTP/1.0).
 */
export function clientResponseHeaders(rawHeaders: readonly string[]): string[] {
  const out = endToEndHeaders(rawHeaders);
  const chunked = rawHeaders.some((v, i) => i % 2 === 0 && v.toLowerCase() === "transfer-encoding");
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!chunked && rawHeaders[i]!.toLowerCase() === "content-length") out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

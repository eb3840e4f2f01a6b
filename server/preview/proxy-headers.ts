// What crosses the preview proxy, in both directions. The previewed page is code the user (or an
// AI) wrote: it must never see the credentials that open the app, and must never set them.

/** The app's own cookies (next-auth's session, csrf, callback, pkce, state, nonce; with or without __Secure-/__Host-). */
const APP_COOKIE = /^(?:__Secure-|__Host-)?next-auth\./i;

/** Connection-scoped headers (RFC 9110 §7.6.1) that a proxy never forwards as they are. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/** Credentials for the app or for a proxy: read by the preview listener, never passed on. */
const CREDENTIALS = new Set(["authorization", "proxy-authorization"]);

export function isAppCookie(name: string): boolean {
  return APP_COOKIE.test(name.trim());
}

/** Only the app's cookies of a Cookie header ("" when none): what authenticates a browser. */
export function onlyAppCookies(cookieHeader: string): string {
  return cookieHeader
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && isAppCookie(part.split("=", 1)[0] ?? ""))
    .join("; ");
}

/** A Cookie header without the app's cookies, or null when nothing is left. */
export function withoutAppCookies(cookieHeader: string): string | null {
  const kept = cookieHeader
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && !isAppCookie(part.split("=", 1)[0] ?? ""));
  return kept.length ? kept.join("; ") : null;
}

function connectionTokens(rawHeaders: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== "connection") continue;
    for (const token of (rawHeaders[i + 1] ?? "").split(",")) if (token.trim()) tokens.add(token.trim().toLowerCase());
  }
  return tokens;
}

/**
 * Walks a flat [name, value, ...] header list in its original order and case; `keep` gets the
 * lower-cased name, the value and whether the header is hop-by-hop (listed, or named by
 * Connection), and returns the value to send or null to drop the header.
 */
function mapHeaders(rawHeaders: readonly string[], keep: (lower: string, value: string, hopByHop: boolean) => string | null): string[] {
  const named = connectionTokens(rawHeaders);
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    const lower = name.toLowerCase();
    const kept = keep(lower, rawHeaders[i + 1] ?? "", HOP_BY_HOP.has(lower) || named.has(lower));
    if (kept !== null) out.push(name, kept);
  }
  return out;
}

/**
 * The request headers sent to the dev server: no app cookies, no Authorization, no hop-by-hop
 * headers. For a WebSocket handshake, `upgrade` keeps Connection: Upgrade and the Upgrade header.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], opts: { upgrade?: boolean } = {}): string[] {
  const out = mapHeaders(rawHeaders, (lower, value, hopByHop) => {
    if (CREDENTIALS.has(lower) || hopByHop) return null;
    return lower === "cookie" ? withoutAppCookies(value) : value;
  });
  if (opts.upgrade) {
    const upgrade = rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === "upgrade");
    out.push("Connection", "Upgrade", "Upgrade", rawHeaders[upgrade + 1] ?? "websocket");
  }
  return out;
}

/** The response headers sent back to the browser: no hop-by-hop headers, no Set-Cookie for the app's cookie names. */
export function downstreamResponseHeaders(rawHeaders: readonly string[], opts: { upgrade?: boolean } = {}): string[] {
  return mapHeaders(rawHeaders, (lower, value, hopByHop) => {
    if (lower === "set-cookie" && isAppCookie(value.split("=", 1)[0] ?? "")) return null;
    if (opts.upgrade && (lower === "connection" || lower === "upgrade")) return value;
    return hopByHop ? null : value;
  });
}

/**
 * The request target to forward, or null to refuse it. Only origin-form ("/path?query") is
 * forwarded, byte for byte: the dev server resolves it inside the project's container. An
 * absolute-form target ("http://169.254.169.254/") or "*" is what a client sends to a forward
 * proxy; the preview is not one, so they are refused rather than reinterpreted.
 */
export function forwardableTarget(url: string | undefined): string | null {
  if (!url || !url.startsWith("/")) return null;
  return url;
}

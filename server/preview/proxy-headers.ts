// What crosses the preview proxy, in both directions. The previewed page is code the user (or an
// AI) wrote: it must never see the credentials that open the app, and must never set them.

/**
 * Cookies that authenticate: the app's own (next-auth's session, csrf, callback, pkce, state,
 * nonce; with or without __Secure-/__Host-) and the previews' (pantheon-preview-<n>, read by the
 * listener). Never passed to a dev server, never set by one.
 */
const APP_COOKIE = /^(?:__Secure-|__Host-)?(?:next-auth\.|pantheon-preview-)/i;

/** Connection-scoped headers (RFC 9110 §7.6.1) that a proxy never forwards as they are. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/** Credentials for the app or for a proxy: read by the preview listener, never passed on. */
const CREDENTIALS = new Set(["authorization", "proxy-authorization"]);

/** The body's framing: decided by the proxy from what it parsed (request-framing.ts), never copied. */
const FRAMING = new Set(["content-length", "transfer-encoding"]);

export function isAppCookie(name: string): boolean {
  return APP_COOKIE.test(name.trim());
}

/** The name of the cookie that opens the preview numbered `slot` (each its own: same-host previews share one cookie jar). */
export function previewCookieName(slot: number, https: boolean): string {
  return `${https ? "__Host-" : ""}pantheon-preview-${slot}`;
}

/**
 * The values of every cookie called `name` in a Cookie header, as sent (no decoding, so "x=%"
 * cannot throw). Several when a page planted look-alikes: each is checked, none is trusted.
 */
export function cookieValues(cookieHeader: string | undefined, name: string): string[] {
  if (!cookieHeader) return [];
  const values: string[] = [];
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values.slice(0, 8);
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
 * The request headers sent to the dev server: no app or preview cookies, no Authorization, no
 * hop-by-hop headers, no Content-Length or Transfer-Encoding (the caller adds the framing it
 * chose). For a WebSocket handshake, `upgrade` keeps Connection: Upgrade and the Upgrade header.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], opts: { upgrade?: boolean } = {}): string[] {
  const out = mapHeaders(rawHeaders, (lower, value, hopByHop) => {
    if (CREDENTIALS.has(lower) || FRAMING.has(lower) || hopByHop) return null;
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

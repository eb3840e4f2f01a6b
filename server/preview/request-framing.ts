import type { IncomingHttpHeaders } from "node:http";

// How a request body is framed on its way to the dev server (issue 18 point 6). Node's parser has
// already read the client's body by its own framing (and refused Content-Length beside
// Transfer-Encoding, or two different lengths); the proxy never copies the client's framing
// headers but states its own, so the dev server reads exactly the bytes Node read: a body with no
// length on a GET, or a header named in Connection, can never become a second request upstream.

export type Framing = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" };

/** The framing to send upstream, or why the request is refused with 400. */
export function requestFraming(headers: IncomingHttpHeaders, opts: { upgrade?: boolean } = {}): Framing | { refused: string } {
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  if (te !== undefined && cl !== undefined) return { refused: "Content-Length and Transfer-Encoding together" };
  if (te !== undefined) {
    // Node joins repeated headers with ", ": anything but one plain "chunked" is a coding we would drop.
    if (te.trim().toLowerCase() !== "chunked") return { refused: "only Transfer-Encoding: chunked is accepted" };
    if (opts.upgrade) return { refused: "a WebSocket handshake carries no body" };
    return { kind: "chunked" };
  }
  if (cl !== undefined) {
    if (!/^\d{1,15}$/.test(cl)) return { refused: "Content-Length must be one decimal number" };
    const length = Number(cl);
    if (opts.upgrade && length > 0) return { refused: "a WebSocket handshake carries no body" };
    return length > 0 ? { kind: "length", length } : { kind: "none" };
  }
  return { kind: "none" };
}

/** Methods whose empty body is still stated (Content-Length: 0), as clients send them. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** The framing header to append to the filtered upstream headers ([] when none is needed). */
export function framingHeaders(framing: Framing, method: string): string[] {
  if (framing.kind === "chunked") return ["Transfer-Encoding", "chunked"];
  if (framing.kind === "length") return ["Content-Length", String(framing.length)];
  return BODY_METHODS.has(method.toUpperCase()) ? ["Content-Length", "0"] : [];
}

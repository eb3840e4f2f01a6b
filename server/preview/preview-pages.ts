import type { ServerResponse } from "node:http";

// The preview listener's own answers. They are small, self-contained pages (no scripts, no
// external resources) on the preview origin; text is escaped.

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:36rem;padding:0 1rem;color:#222}h1{font-size:1.25rem}code{background:#f3f3f3;padding:0 .25rem}</style>
</head><body>${body}</body></html>
`;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
}

/** The same answer for "no such preview" and "not yours": existence never leaks. */
export function sendNotFound(res: ServerResponse): void {
  send(res, 404, "text/plain; charset=utf-8", "Not found\n");
}

/** A known caller asking for something its credential or its page's origin may not do. */
export function sendForbidden(res: ServerResponse, why: string): void {
  send(res, 403, "text/plain; charset=utf-8", `Forbidden: ${why}\n`);
}

/** The end of a hand-off: the preview's cookie, then its page. The token in the URL goes nowhere further. */
export function sendHandoff(res: ServerResponse, setCookie: string, location: string): void {
  res.writeHead(303, {
    location,
    "set-cookie": setCookie,
    "content-length": 0,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  res.end();
}

export function sendBadRequest(res: ServerResponse, why: string): void {
  send(res, 400, "text/plain; charset=utf-8", `Bad request: ${why}\n`);
}

/** Nothing answers on the port (not started yet, crashed, or another port): say so plainly. */
export function sendNothingListening(res: ServerResponse, port: number, detail: string): void {
  send(
    res,
    502,
    "text/html; charset=utf-8",
    page(
      `Nothing listening on port ${port}`,
      `<h1>Nothing is listening on port ${port}</h1>
<p>The project's process is running, but no server in its sandbox accepts connections on port <code>${port}</code> yet.</p>
<p>If it is still starting, reload in a moment. Otherwise check its output in the IDE: it may listen on another port, or have failed.</p>
<p><small>${escapeHtml(detail)}</small></p>`,
    ),
  );
}

export function sendUpstreamFailed(res: ServerResponse, port: number, detail: string): void {
  send(res, 502, "text/html; charset=utf-8", page("Preview unavailable", `<h1>The preview of port ${port} is unavailable</h1><p>${escapeHtml(detail)}</p>`));
}

/** The raw HTTP/1.1 answer for a refused WebSocket handshake (there is no ServerResponse then). */
export function rawResponse(status: number, reason: string, body = ""): string {
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

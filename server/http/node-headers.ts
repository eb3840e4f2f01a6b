import type { IncomingMessage } from "node:http";

/** A Node request's headers as fetch Headers (Node joins repeated request headers into one string). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  return headers;
}

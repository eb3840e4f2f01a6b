import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";

/**
 * A live HTTP server in front of the real /api/trpc route handler (the code Next runs), for
 * clients that need a socket: the typed client, EventSource streams, the example script.
 */
export function startTrpcRouteServer(): Promise<RouteServer> {
  return startRouteServer((request) => (request.method === "GET" ? GET(request) : POST(request)));
}

function toRequest(req: IncomingMessage, url: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const controller = new AbortController();
  req.on("close", () => controller.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    signal: controller.signal,
    duplex: "half",
  } as RequestInit);
}

/** A live HTTP server in front of any fetch-style route handler, e.g. /api/mcp for the MCP SDK's client. */
export interface RouteServer {
  url: string;
  server: Server;
  close: () => Promise<void>;
}

export async function startRouteServer(handle: (req: Request) => Promise<Response>): Promise<RouteServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const response = await handle(toRequest(req, `http://127.0.0.1${req.url ?? "/"}`));
      // A refusal sent before the body was read (413) leaves the socket mid-request: never reuse it.
      const headers = { ...Object.fromEntries(response.headers), ...(req.complete ? {} : { connection: "close" }) };
      res.writeHead(response.status, headers);
      if (response.body) for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDirectRoutes, directRoute } from "./direct-routes";

// A real Node HTTP server with the direct routes in front of a stand-in for Next (answers 299).
let server: Server;
let base: string;
let aborted: Promise<boolean>;
let tellAborted: (v: boolean) => void = () => {};

beforeAll(async () => {
  const routes = createDirectRoutes(
    [
      directRoute("POST", "/api/things/:id/echo", async (req, { params }) => {
        const { id } = await params;
        const body = await req.text();
        const headers = new Headers({ "content-type": "application/json", "x-seen-query": new URL(req.url).search });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response(JSON.stringify({ id, body, auth: req.headers.get("authorization") }), { status: 201, headers });
      }),
      directRoute("GET", "/api/things/:id/events", (req) => {
        aborted = new Promise((r) => (tellAborted = r));
        req.signal.addEventListener("abort", () => tellAborted(true));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("data: first\n\n"));
            // Never closes: only the client leaving ends it.
          },
        });
        return Promise.resolve(new Response(stream, { headers: { "content-type": "text/event-stream" } }));
      }),
      directRoute("GET", "/api/things/:id/throws", () => Promise.reject(new Error("handler bug"))),
    ],
    "http://app.test",
    pino({ level: "silent" }),
  );
  server = createServer((req, res) => {
    if (routes(req, res)) return;
    res.statusCode = 299;
    res.end("next");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("routes served before Next", () => {
  it("hands the handler the decoded path parameter, the body, the headers and the query, and writes back status, headers and every cookie", async () => {
    const res = await fetch(`${base}/api/things/a%20b/echo?x=1`, { method: "POST", body: "hello", headers: { authorization: "Bearer k" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: "a b", body: "hello", auth: "Bearer k" });
    expect(res.headers.get("x-seen-query")).toBe("?x=1");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });

  it("leaves other methods, other paths, a trailing slash and an undecodable parameter to Next", async () => {
    for (const [method, path] of [
      ["GET", "/api/things/1/echo"],
      ["POST", "/api/things/1/echo/"],
      ["POST", "/api/things//echo"],
      ["POST", "/api/things/%E0%A4%A/echo"],
      ["POST", "/api/things/1/2/echo"],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method, body: method === "POST" ? "x" : undefined });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 299`);
    }
  });

  it("streams server-sent events as they come, and aborts the request's signal when the client leaves", async () => {
    const client = new AbortController();
    const res = await fetch(`${base}/api/things/1/events`, { signal: client.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
    client.abort();
    await expect(aborted).resolves.toBe(true);
  });

  it("answers a handler that throws with a JSON 500 and keeps serving", async () => {
    const res = await fetch(`${base}/api/things/1/throws`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: "INTERNAL" } });
    const again = await fetch(`${base}/api/things/2/echo`, { method: "POST", body: "ok" });
    expect(again.status).toBe(201);
  });
});

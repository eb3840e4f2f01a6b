import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { encode } from "next-auth/jwt";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestGuard } from "./request-guard";

// The guard as main.ts wires it, on a real socket: what a refused browser and the log see.

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let server: Server;
let base: string;
let appOrigin: string;
let reached = 0;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  appOrigin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const guard = createRequestGuard({ appOrigin, log: pino({ level: "info" }, sink) });
  server.on("request", (req, res) => {
    if (!guard.http(req, res)) return;
    reached += 1;
    res.end("reached");
  });
  server.on("upgrade", (req, socket) => {
    if (guard.upgrade(req, socket)) socket.end("HTTP/1.1 101 Switching Protocols\r\n\r\n");
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function sessionCookie(userId: number): Promise<string> {
  const token = await encode({ token: { uid: userId, sub: String(userId) }, secret: process.env.NEXTAUTH_SECRET ?? "" });
  return `next-auth.session-token=${token}`;
}

function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("request guard on a live socket", () => {
  it("refuses a cross-origin cookie POST with a JSON 403 and logs a security event naming the user and the origin", async () => {
    const before = reached;
    const res = await send(
      "POST",
      "/api/sandbox/projects/7/execute",
      { cookie: await sessionCookie(42), origin: "http://localhost:4101", "content-type": "text/plain" },
      '{"command":"id"}',
    );
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "FORBIDDEN", message: expect.stringContaining(appOrigin) as string } });
    expect(reached).toBe(before);
    await expect
      .poll(() => lines.find((l) => l.event === "security.request_refused" && l.path === "/api/sandbox/projects/7/execute"))
      .toMatchObject({
        reason: "cross_origin",
        userId: 42,
        origin: "http://localhost:4101",
        method: "POST",
        level: 40,
      });
  });

  it("answers 415 to a same-origin REST body that is not JSON, and lets JSON through", async () => {
    const cookie = await sessionCookie(42);
    expect((await send("POST", "/api/sandbox/projects", { cookie, origin: appOrigin, "content-type": "text/plain" }, "{}")).status).toBe(415);
    expect(
      (await send("POST", "/api/sandbox/projects", { cookie, origin: appOrigin, "content-type": "multipart/form-data; boundary=x" }, "--x--")).status,
    ).toBe(415);
    expect(await send("POST", "/api/sandbox/projects", { cookie, origin: appOrigin, "content-type": "application/json; charset=utf-8" }, "{}")).toEqual({
      status: 200,
      body: "reached",
    });
  });

  it("leaves API keys, reads and anonymous clients alone", async () => {
    expect(
      (await send("POST", "/api/sandbox/projects", { authorization: "Bearer psk_x", origin: "http://evil.example", "content-type": "text/plain" }, "{}"))
        .status,
    ).toBe(200);
    expect((await send("GET", "/api/sandbox/projects", { cookie: await sessionCookie(1), origin: "http://evil.example" })).status).toBe(200);
    expect((await send("POST", "/api/sandbox/projects", { "content-type": "application/json" }, "{}")).status).toBe(200);
    expect((await send("POST", "/api/trpc/files.write", { cookie: await sessionCookie(1), referer: `${appOrigin}/projects/1` }, "{}")).status).toBe(403);
  });

  it("refuses a cross-origin WebSocket upgrade before any route sees it", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(`${base}/ws/shell/1`, { headers: { connection: "Upgrade", upgrade: "websocket", origin: "null", cookie: "x=1" } });
      req.on("response", (res) => resolve(String(res.statusCode)));
      req.on("upgrade", () => resolve("upgraded"));
      req.on("error", reject);
      req.end();
    });
    expect(answer).toBe("403");
  });
});

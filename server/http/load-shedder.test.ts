import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createLoadShedder } from "./load-shedder";

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** A server whose handler holds every admitted request until `releaseAll()`. */
async function heldServer(maxInFlight: number) {
  const shedder = createLoadShedder({ maxInFlight, retryAfterSeconds: 1, log: pino({ level: "silent" }) });
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    if (!shedder.admit(req, res)) return;
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const send = (headers: Record<string, string> = {}) => {
    const req = request({ port, host: "127.0.0.1", path: "/", headers, agent: false });
    const answer = new Promise<Answer>((resolve, reject) => {
      req.on("response", (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], body }));
      });
      req.on("error", reject);
    });
    req.end();
    return { req, answer };
  };
  const admitted = async (n: number) => {
    for (let i = 0; i < 200 && held.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held.length).toBe(n);
  };
  const releaseAll = () => {
    for (const res of held.splice(0)) res.end("done");
  };
  return { server, shedder, send, admitted, releaseAll };
}

let open: Server | null = null;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((r) => open?.close(r));
  open = null;
});

describe("load shedder", () => {
  it("refuses past its limit at once with 503, Retry-After and the JSON error shape, then admits again once answers are written", async () => {
    const s = await heldServer(2);
    open = s.server;
    const first = [s.send(), s.send()];
    await s.admitted(2);
    const refused = await s.send().answer;
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("1");
    expect(JSON.parse(refused.body)).toEqual({ error: { code: "UNAVAILABLE", message: expect.stringContaining("2 requests in progress") } });
    s.releaseAll();
    expect((await Promise.all(first.map((f) => f.answer))).map((a) => a.status)).toEqual([200, 200]);
    expect(s.shedder.inFlight).toBe(0);
    const again = s.send();
    await s.admitted(1);
    s.releaseAll();
    expect((await again.answer).body).toBe("done");
  });

  it("frees the slot of a client that went away before its answer", async () => {
    const s = await heldServer(1);
    open = s.server;
    const gone = s.send();
    gone.answer.catch(() => {});
    await s.admitted(1);
    gone.req.destroy();
    for (let i = 0; i < 200 && s.shedder.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.shedder.inFlight).toBe(0);
    s.releaseAll();
    const next = s.send();
    await s.admitted(1);
    s.releaseAll();
    expect((await next.answer).status).toBe(200);
  });

  it("does not count event streams, which stay open by design", async () => {
    const s = await heldServer(1);
    open = s.server;
    const streams = [s.send({ accept: "text/event-stream" }), s.send({ accept: "text/event-stream" })];
    await s.admitted(2);
    expect(s.shedder.inFlight).toBe(0);
    const plain = s.send();
    await s.admitted(3);
    expect((await s.send().answer).status).toBe(503);
    s.releaseAll();
    for (const r of [...streams, plain]) expect((await r.answer).status).toBe(200);
  });
});

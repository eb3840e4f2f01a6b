import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookNotifier, deliverWebhook } from "./alert-webhook";

// A real HTTP receiver on 127.0.0.1; `handle` decides what each request gets.
async function receiver(handle: (n: number, body: string, res: ServerResponse) => void) {
  let n = 0;
  const bodies: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      n += 1;
      bodies.push(body);
      handle(n, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, server, count: () => n };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe("alert webhook", () => {
  it("POSTs the alert as JSON", async () => {
    const r = await receiver((_n, _b, res) => res.writeHead(204).end());
    servers.push(r.server);
    const outcome = await deliverWebhook({ kind: "raised", rule: "cpu_percent" }, { url: r.url });
    expect(outcome).toEqual({ ok: true, attempts: 1 });
    expect(JSON.parse(r.bodies[0] ?? "")).toEqual({ kind: "raised", rule: "cpu_percent" });
  });

  it("retries a failing receiver until it accepts, and gives up on a refusing one", async () => {
    const flaky = await receiver((n, _b, res) => res.writeHead(n < 3 ? 503 : 200).end());
    const refusing = await receiver((_n, _b, res) => res.writeHead(400).end());
    servers.push(flaky.server, refusing.server);
    expect(await deliverWebhook({ a: 1 }, { url: flaky.url, retries: 3, backoffMs: 10 })).toEqual({ ok: true, attempts: 3 });
    expect(await deliverWebhook({ a: 1 }, { url: refusing.url, retries: 3, backoffMs: 10 })).toEqual({ ok: false, attempts: 1, error: "HTTP 400" });
  });

  it("a hanging receiver never blocks the caller and is cut off by the timeout", async () => {
    const hanging = await receiver(() => {}); // never answers
    servers.push(hanging.server);
    const notifier = createWebhookNotifier({ url: hanging.url, timeoutMs: 200, retries: 1, backoffMs: 10 });
    // Returns at once with nothing to await: not even the request has left when it returns
    // (a wall-clock bound here would only measure how busy the machine is).
    expect(notifier.notify({ kind: "raised" })).toBeUndefined();
    expect(hanging.count()).toBe(0);
    const drainStarted = performance.now();
    await notifier.drain();
    const waited = performance.now() - drainStarted;
    expect(waited).toBeGreaterThanOrEqual(350);
    expect(waited).toBeLessThan(3_000);
    expect(hanging.count()).toBe(2);
  });

  it("a dead receiver (connection refused) is given up after the retries", async () => {
    const dead = await receiver(() => {});
    const url = dead.url;
    await new Promise((r) => dead.server.close(r));
    const outcome = await deliverWebhook({ a: 1 }, { url, retries: 2, backoffMs: 10 });
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(3);
  });

  it("bounds the backlog instead of growing without limit", async () => {
    const hanging = await receiver(() => {});
    servers.push(hanging.server);
    const notifier = createWebhookNotifier({ url: hanging.url, timeoutMs: 200, retries: 0, maxPending: 2 });
    for (let i = 0; i < 10; i++) notifier.notify({ i });
    await notifier.drain();
    expect(hanging.count()).toBe(2);
  });
});

import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { httpGet, rawExchange } from "@/test/support/preview-harness";
import { PreviewGateway } from "./preview-gateway";
import { previewSettings } from "./preview-settings";

// The gateway's own answers, with stand-in hooks (the real ones, the engine and tunnels are in the
// *.docker.test.ts files): the cookie an https deployment gets, and Node-level framing refusals.

let upstream: Server;
let gateway: PreviewGateway;
const LISTEN = 4899;
const target = { processId: 1, projectId: 1, port: 8080, image: "node" as const };

beforeAll(async () => {
  upstream = createServer((req, res) => res.end(`${req.method} ${req.url}`));
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const settings = previewSettings(
    parseEnv({ SANDBOX_PREVIEW_DOMAIN: "https://preview.example.com", SANDBOX_PREVIEW_LISTEN_PORT: String(LISTEN), SANDBOX_PREVIEW_PORTS: "4880-4889" }),
    "https://app.example.com",
  );
  gateway = new PreviewGateway(
    settings,
    {
      authorize: async (credentials) => (credentials.cookies.includes("good") ? { via: "preview_cookie", scopes: ["read", "run"] } : null),
      redeem: async (token) => (token === "t" ? { value: "good", maxAgeSeconds: 60 } : null),
      connect: async () => connect(upstreamPort, "127.0.0.1"),
    },
    pino({ level: "silent" }),
  );
});
afterAll(async () => {
  await gateway?.stop();
  await new Promise((r) => upstream?.close(r));
});

describe("PreviewGateway (domain mode, https)", () => {
  it("hands off to a __Host- cookie that is Secure, SameSite=None and Partitioned (the frame is another site)", async () => {
    const slot = await gateway.open(target);
    const host = `${slot}.preview.example.com`;
    const answer = await httpGet(`http://127.0.0.1:${LISTEN}/__pantheon/auth?token=t`, { host });
    expect(answer.status).toBe(303);
    expect(answer.headers["set-cookie"]).toEqual([`__Host-pantheon-preview-${slot}=good; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=None; Partitioned`]);
    const page = await httpGet(`http://127.0.0.1:${LISTEN}/x`, { host, cookie: `__Host-pantheon-preview-${slot}=good` });
    expect(page.body).toBe("GET /x");
    const post = await httpGet(`http://127.0.0.1:${LISTEN}/x`, { host, cookie: `__Host-pantheon-preview-${slot}=good`, origin: `https://${host}` }, "POST");
    expect(post.body).toBe("POST /x");
    // The http-style name is not this preview's cookie.
    expect((await httpGet(`http://127.0.0.1:${LISTEN}/x`, { host, cookie: `pantheon-preview-${slot}=good` })).status).toBe(404);
    await gateway.close(slot);
    expect((await httpGet(`http://127.0.0.1:${LISTEN}/x`, { host, cookie: `__Host-pantheon-preview-${slot}=good` })).status).toBe(404);
  });

  it("answers what Node cannot parse (conflicting framing, bad chunks) with a plain 400 and closes", async () => {
    const slot = await gateway.open(target);
    const head = `Host: ${slot}.preview.example.com\r\nCookie: __Host-pantheon-preview-${slot}=good\r\nOrigin: https://${slot}.preview.example.com\r\n`;
    for (const request of [
      `POST / HTTP/1.1\r\n${head}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST / HTTP/1.1\r\n${head}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
      `POST / HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
      `GET / HTTP/1.1\r\n${head} Folded: header\r\n\r\n`,
    ])
      expect(await rawExchange(LISTEN, request, 2_000)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*malformed HTTP/);
    await gateway.close(slot);
  });
});

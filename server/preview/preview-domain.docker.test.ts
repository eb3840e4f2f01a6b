import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCaller, sessionCookie } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { httpGet, rawExchange, startPreviewHarness, waitForPreview } from "@/test/support/preview-harness";

// Issue 17 point 2, on the real engine: with SANDBOX_PREVIEW_DOMAIN every preview is a host name of
// its own under the base (a site apart from the app's), all served by one listener that routes by
// Host; the hand-off, the cookie and the origin rule work per host name. Requests go to 127.0.0.1
// with the Host header a browser would send (*.localhost resolves there in Chromium, not in Node).

const LISTEN = 4789;
const ECHO = `import http from "node:http";
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, cookie: req.headers.cookie ?? null })));
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
let caller: Awaited<ReturnType<typeof sessionCaller>>;
let projectId: number;

beforeAll(async () => {
  harness = await startPreviewHarness("4760-4779", { SANDBOX_PREVIEW_DOMAIN: `http://preview.localhost:${LISTEN}` });
  const owner = await makeUser();
  caller = await sessionCaller(owner.id);
  projectId = (await caller.projects.create({ name: "domain", template: "node-api" })).id;
  await caller.files.write({ projectId, path: "echo.mjs", content: ECHO });
}, 180_000);
afterAll(async () => {
  await harness?.stop();
});

/** A request to the shared listener as a browser at `url` would send it. */
const at = (url: string, headers: Record<string, string> = {}, method = "GET", path?: string) => {
  const { host, pathname, search } = new URL(url);
  return httpGet(`http://127.0.0.1:${LISTEN}${pathname}${search}`, { host, ...headers }, method, path);
};

async function cookieFor(processId: number): Promise<string> {
  const { url } = await caller.processes.previewLink({ processId });
  const answer = await at(url);
  expect(answer.status).toBe(303);
  return answer.headers["set-cookie"]?.[0]?.split(";", 1)[0] ?? "";
}

describe("previews on a domain of their own", () => {
  it("each preview is <n>.<base>, served by the one listener; the hand-off, reads and writes work per host name", async () => {
    const started = await caller.processes.start({ projectId, command: "node echo.mjs", port: 9090 });
    const url = started.previewUrl ?? "";
    expect(url).toMatch(new RegExp(`^http://47[67]\\d\\.preview\\.localhost:${LISTEN}/$`));
    const origin = new URL(url).origin;
    const slot = Number(new URL(url).hostname.split(".")[0]);
    const cookie = await cookieFor(started.id);
    expect(cookie.startsWith(`pantheon-preview-${slot}=`)).toBe(true);

    const page = await waitForPreview(`http://127.0.0.1:${LISTEN}/`, { host: new URL(url).host, cookie });
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body)).toMatchObject({ method: "GET", url: "/", host: new URL(url).host, cookie: null });
    // No port of its own is opened.
    await expect(httpGet(`http://127.0.0.1:${slot}/`, { cookie })).rejects.toThrow(/ECONNREFUSED/);

    // State-changing requests only from the preview's own origin.
    expect((await at(url, { cookie, origin }, "POST", "/x")).status).toBe(200);
    for (const other of ["http://127.0.0.1:3999", `http://${slot + 1}.preview.localhost:${LISTEN}`, `http://preview.localhost:${LISTEN}`])
      expect((await at(url, { cookie, origin: other }, "POST", "/x")).status).toBe(403);
    const ws = await rawExchange(
      LISTEN,
      `GET / HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${cookie}\r\nOrigin: http://127.0.0.1:3999\r\n\r\n`,
    );
    expect(ws).toMatch(/^HTTP\/1\.1 403 /);

    // Another host under the base, the base itself, a stranger host: 404. The app's session opens nothing.
    const second = await caller.processes.start({ projectId, command: "node echo.mjs", port: 9191 });
    const secondCookie = await cookieFor(second.id);
    expect((await waitForPreview(`http://127.0.0.1:${LISTEN}/`, { host: new URL(second.previewUrl ?? "").host, cookie: secondCookie })).status).toBe(200);
    expect((await at(second.previewUrl ?? "", { cookie })).status).toBe(404);
    expect((await at(url, { cookie: secondCookie })).status).toBe(404);
    for (const host of [`preview.localhost:${LISTEN}`, `x.preview.localhost:${LISTEN}`, `${slot}.evil.localhost`, `${slot}.preview.localhost.evil.com`, ""])
      expect((await httpGet(`http://127.0.0.1:${LISTEN}/`, { host, cookie })).status).toBe(404);
    expect((await at(url, { cookie: (await sessionCookie(1)) + "; " + (await sessionCookie(2)) })).status).toBe(404);
    // A hand-off made for one host name does nothing at another.
    const link = new URL((await caller.processes.previewLink({ processId: started.id })).url);
    const misplaced = await at(`${new URL(second.previewUrl ?? "").origin}${link.pathname}${link.search}`);
    expect(misplaced.status).toBe(404);
    expect(misplaced.headers["set-cookie"]).toBeUndefined();

    // Stopped: its host name answers 404 at once.
    await caller.processes.stop({ processId: started.id });
    expect((await at(url, { cookie })).status).toBe(404);
    await caller.processes.stop({ processId: second.id });
  });
});

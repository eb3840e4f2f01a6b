import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyCaller, sessionCaller, sessionCookie } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { httpGet, previewCookie, rawExchange, startPreviewHarness, waitForPreview } from "@/test/support/preview-harness";
import { drain } from "@/test/support/attack-matrix";
import { revokeApiKey } from "@/server/services/users/api-key-service";

// Issue 7 point 1, 4 and "bad input", on the real engine: who may see a preview, what crosses
// the proxy (no app cookies or credentials either way), where crafted request targets end up
// (always the project's own dev server, or refused), denylisted ports, and a port with nothing
// listening. An echo server in the project shows exactly what reached it.

const ECHO_SERVER = `import http from "node:http";
let seen = 0;
const log = [];
const server = http.createServer((req, res) => {
  seen++;
  log.push(req.method + " " + req.url);
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.setHeader("set-cookie", ["next-auth.session-token=planted; Path=/", "__Secure-next-auth.session-token=planted; Path=/; Secure", "pantheon-preview-4721=planted; Path=/", "app=1; Path=/"]);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, seen, body: Buffer.concat(chunks).toString("latin1"), log }));
  });
});
server.on("upgrade", (req, socket) => {
  log.push("UPGRADE " + req.url);
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n");
  socket.end("upgraded " + req.url);
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("echo ready on " + process.env.PORT));
`;

/** tRPC types tracked events as {id, data}; a server-side caller yields the envelope [id, data, symbol]. */
function unwrap<T>(tracked: { id: string; data: T }): T {
  const raw: unknown = tracked;
  return Array.isArray(raw) ? (raw[1] as T) : tracked.data;
}

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  seen: number;
  body: string;
  log: string[];
}

let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
let owner: { id: number; role: string };
/** The owner's cookie for the echo preview, minted by the hand-off the IDE uses. */
let ownerCookie: string;
let appSessionCookie: string;
let echoOrigin: string;
let caller: Awaited<ReturnType<typeof sessionCaller>>;
let projectId: number;
let echoUrl: string;
let echoPort: number;
let echoProcessId: number;

beforeAll(async () => {
  harness = await startPreviewHarness("4720-4739");
  owner = await makeUser();
  appSessionCookie = await sessionCookie(owner.id);
  caller = await sessionCaller(owner.id);
  projectId = (await caller.projects.create({ name: "echo", template: "node-api" })).id;
  await caller.files.write({ projectId, path: "echo.mjs", content: ECHO_SERVER });
  const started = await caller.processes.start({ projectId, command: "node echo.mjs", port: 9090 });
  echoUrl = started.previewUrl ?? "";
  echoPort = Number(new URL(echoUrl).port);
  echoProcessId = started.id;
  echoOrigin = new URL(echoUrl).origin;
  ownerCookie = await previewCookie(caller, echoProcessId);
  await waitForPreview(echoUrl, { cookie: ownerCookie });
}, 180_000);
afterAll(async () => {
  await harness?.stop();
});

const echoOf = async (path: string, headers: Record<string, string> = {}) => {
  const answer = await httpGet(echoUrl, { cookie: ownerCookie, ...headers }, "GET", path);
  expect(answer.status).toBe(200);
  return { answer, echo: JSON.parse(answer.body) as Echo };
};

describe("who sees a preview", () => {
  it("the owner by the preview's own cookie and by API key; anyone else gets the same 404 as a missing page", async () => {
    expect((await httpGet(echoUrl, { cookie: ownerCookie })).status).toBe(200);
    const { key } = await keyCaller(owner, ["projects:read"]);
    expect((await httpGet(echoUrl, { authorization: `Bearer ${key}` })).status).toBe(200);

    const stranger = await makeUser();
    const { key: strangerKey } = await keyCaller(stranger, ["projects:read", "projects:write", "executions:run"]);
    const refusals = [
      await httpGet(echoUrl),
      await httpGet(echoUrl, { cookie: await sessionCookie(stranger.id) }),
      await httpGet(echoUrl, { authorization: `Bearer ${strangerKey}` }),
      await httpGet(echoUrl, { authorization: "Bearer psk_not_a_real_key" }),
      await httpGet(echoUrl, { cookie: "next-auth.session-token=forged" }),
      // The app's session opens no preview, not even the owner's: a page of another preview
      // (same host name, so the browser sends it) cannot use it here.
      await httpGet(echoUrl, { cookie: appSessionCookie }),
      // A forged or altered preview cookie.
      await httpGet(echoUrl, { cookie: `${ownerCookie.split("=")[0]}=pv1.e30.AAAA` }),
      await httpGet(echoUrl, { cookie: `${ownerCookie.slice(0, -3)}AAA` }),
      // The owner's cookie value under another preview's name, and another preview's cookie here.
      await httpGet(echoUrl, { cookie: `pantheon-preview-${echoPort + 1}=${ownerCookie.split("=")[1]}` }),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(404);
      expect(refused.body).toBe("Not found\n");
    }
    // A key without projects:read is refused the same way.
    const { key: runOnly } = await keyCaller(owner, ["executions:run"]);
    expect((await httpGet(echoUrl, { authorization: `Bearer ${runOnly}` })).status).toBe(404);
    // Nothing reached the dev server for the refused requests.
    const before = (await echoOf("/")).echo.seen;
    await httpGet(echoUrl);
    expect((await echoOf("/")).echo.seen).toBe(before + 1);
  });

  it("a revoked key loses the preview within the grant's few seconds", async () => {
    const { key } = await keyCaller(owner, ["projects:read"]);
    expect((await httpGet(echoUrl, { authorization: `Bearer ${key}` })).status).toBe(200);
    await revokeApiKey(key.split("_").slice(0, 2).join("_"), owner.id);
    await new Promise((r) => setTimeout(r, 5_500));
    expect((await httpGet(echoUrl, { authorization: `Bearer ${key}` })).status).toBe(404);
  });

  it("refuses a WebSocket handshake from another user with 404", async () => {
    const stranger = await makeUser();
    const answer = await rawExchange(
      echoPort,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${await sessionCookie(stranger.id)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
  });
});

describe("the hand-off (a cookie of this preview alone)", () => {
  it("sets an httpOnly cookie named for this preview and redirects to /, keeping the token out of the next page", async () => {
    const { url } = await caller.processes.previewLink({ processId: echoProcessId });
    expect(url.startsWith(`${echoOrigin}/__pantheon/auth?token=`)).toBe(true);
    const answer = await httpGet(url);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe("/");
    expect(answer.headers["referrer-policy"]).toBe("no-referrer");
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers["set-cookie"]?.[0]).toMatch(new RegExp(`^pantheon-preview-${echoPort}=pv1\\.[^;]+; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax$`));
    // Nothing under /__pantheon/ reaches the dev server.
    const before = (await echoOf("/")).echo.seen;
    for (const path of ["/__pantheon/auth", "/__pantheon/auth?token=x", "/__pantheon/other"])
      expect((await httpGet(echoUrl, { cookie: ownerCookie }, "GET", path)).status).toBe(404);
    expect((await httpGet(url, {}, "POST")).status).toBe(404);
    expect((await echoOf("/")).echo.seen).toBe(before + 1);
  });

  it("a link opens only the preview it was made for, and only the owner gets one", async () => {
    const idle = await caller.processes.start({ projectId, command: "sleep 1000", port: 9595 });
    const idlePort = Number(new URL(idle.previewUrl ?? "").port);
    const { url } = await caller.processes.previewLink({ processId: echoProcessId });
    // The echo preview's token presented at the other listener.
    const elsewhere = await httpGet(`http://127.0.0.1:${idlePort}${new URL(url).pathname}${new URL(url).search}`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers["set-cookie"]).toBeUndefined();
    // And the other preview's cookie opens the other preview, never this one.
    const idleCookie = await previewCookie(caller, idle.id);
    expect((await httpGet(echoUrl, { cookie: idleCookie })).status).toBe(404);
    await caller.processes.stop({ processId: idle.id });
    // Strangers get no link (NOT_FOUND as for a missing process); an API key gets none either.
    const stranger = await sessionCaller((await makeUser()).id);
    await expect(stranger.processes.previewLink({ processId: echoProcessId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { caller: byKey } = await keyCaller(owner, ["projects:read", "executions:run"]);
    await expect(byKey.processes.previewLink({ processId: echoProcessId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("hostile Cookie headers are refused or ignored, never a 500", async () => {
    const name = ownerCookie.split("=")[0] ?? "";
    for (const cookie of [
      "x=%",
      "%=%; ;;",
      `${name}=%`,
      `${appSessionCookie}; ${appSessionCookie.replace(/=.*/, "=other")}`,
      `${name}=garbage; ${name}=pv1.x.y`,
      "a".repeat(8_000),
    ]) {
      const answer = await httpGet(echoUrl, { cookie });
      expect(answer.status).toBe(404);
    }
    // A planted look-alike beside the real cookie: the real one still works, the dev server sees neither.
    const both = await httpGet(echoUrl, { cookie: `${name}=planted; x=%; ${ownerCookie}` });
    expect(both.status).toBe(200);
    expect((JSON.parse(both.body) as Echo).headers.cookie).toBe("x=%");
  });
});

describe("what a grant allows (issue 18 point 4)", () => {
  const post = (headers: Record<string, string>) => httpGet(echoUrl, { "content-type": "text/plain", ...headers }, "POST", "/state");

  it("an API key with projects:read reads but cannot POST; executions:run can (no Origin: a script)", async () => {
    const before = (await echoOf("/")).echo.seen;
    const { key: readOnly } = await keyCaller(owner, ["projects:read"]);
    expect((await httpGet(echoUrl, { authorization: `Bearer ${readOnly}` })).status).toBe(200);
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const refused = await httpGet(echoUrl, { authorization: `Bearer ${readOnly}` }, method, "/state");
      expect(refused.status).toBe(403);
      expect(refused.body).toContain("executions:run");
    }
    expect((await echoOf("/")).echo.seen).toBe(before + 2);
    const { key: runner } = await keyCaller(owner, ["projects:read", "executions:run"]);
    const accepted = await post({ authorization: `Bearer ${runner}` });
    expect(accepted.status).toBe(200);
    expect((JSON.parse(accepted.body) as Echo).method).toBe("POST");
    // ...but not from a page of another origin.
    expect((await post({ authorization: `Bearer ${runner}`, origin: "http://127.0.0.1:3999" })).status).toBe(403);
  });

  it("with the preview's cookie, unsafe methods only from the preview's own origin", async () => {
    const before = (await echoOf("/")).echo.seen;
    expect((await post({ cookie: ownerCookie })).status).toBe(403);
    for (const origin of ["http://127.0.0.1:3999", `http://127.0.0.1:${echoPort + 1}`, "null", "https://evil.example"]) {
      const refused = await post({ cookie: ownerCookie, origin });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain(`only from ${echoOrigin}`);
    }
    expect((await echoOf("/")).echo.seen).toBe(before + 1);
    const ok = await post({ cookie: ownerCookie, origin: echoOrigin });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as Echo).headers.origin).toBe(echoOrigin);
  });

  it("a page of another origin cannot read this preview with the cookie (Fetch Metadata), but can navigate to it", async () => {
    const refused = await httpGet(echoUrl, { cookie: ownerCookie, "sec-fetch-site": "same-site", "sec-fetch-mode": "cors" });
    expect(refused.status).toBe(403);
    expect((await httpGet(echoUrl, { cookie: ownerCookie, "sec-fetch-site": "same-site", "sec-fetch-mode": "navigate" })).status).toBe(200);
    expect((await httpGet(echoUrl, { cookie: ownerCookie, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" })).status).toBe(200);
  });

  it("WebSocket handshakes: the preview's own origin with the cookie; another origin or none is 403 and never reaches the dev server", async () => {
    const handshake = (extra: string) =>
      rawExchange(
        echoPort,
        `GET /hmr HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
      );
    const before = (await echoOf("/")).echo.log.filter((l) => l.startsWith("UPGRADE")).length;
    expect(await handshake(`Cookie: ${ownerCookie}\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
    expect(await handshake(`Cookie: ${ownerCookie}\r\nOrigin: http://127.0.0.1:3999\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
    expect(await handshake(`Cookie: ${ownerCookie}\r\nOrigin: http://127.0.0.1:${echoPort + 1}\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
    expect(await handshake(`Cookie: ${appSessionCookie}\r\nOrigin: ${echoOrigin}\r\n`)).toMatch(/^HTTP\/1\.1 404 /);
    const { key: readOnly } = await keyCaller(owner, ["projects:read"]);
    expect(await handshake(`Authorization: Bearer ${readOnly}\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
    expect((await echoOf("/")).echo.log.filter((l) => l.startsWith("UPGRADE")).length).toBe(before);
    const accepted = await handshake(`Cookie: ${ownerCookie}\r\nOrigin: ${echoOrigin}\r\n`);
    expect(accepted).toMatch(/^HTTP\/1\.1 101 /);
    expect(accepted).toContain("upgraded /hmr");
  });
});

describe("request framing (issue 18 point 6): a clear 400 or a correctly framed forward, never a desync", () => {
  const SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  const head = (lines: string) => `Host: 127.0.0.1:${echoPort}\r\nCookie: ${ownerCookie}\r\nOrigin: ${echoOrigin}\r\n${lines}`;
  const logOf = async () => (await echoOf("/")).echo.log;
  const bodyOf = (answer: string) =>
    JSON.parse(
      answer
        .slice(answer.indexOf("\r\n\r\n") + 4)
        .replace(/^[0-9a-f]+\r\n/, "")
        .replace(/\r\n0\r\n\r\n$/, ""),
    ) as Echo;

  it("Content-Length beside Transfer-Encoding, two lengths, or an unknown coding: 400, and nothing reaches the dev server", async () => {
    const before = (await logOf()).length;
    for (const request of [
      `POST /a HTTP/1.1\r\n${head("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n")}\r\n0\r\n\r\n${SMUGGLED}`,
      `POST /b HTTP/1.1\r\n${head("Transfer-Encoding: chunked\r\nContent-Length: 40\r\n")}\r\n0\r\n\r\n${SMUGGLED}`,
      `POST /c HTTP/1.1\r\n${head("Content-Length: 3\r\nContent-Length: 40\r\n")}\r\nabc${SMUGGLED}`,
      `POST /d HTTP/1.1\r\n${head("Transfer-Encoding: gzip, chunked\r\n")}\r\n0\r\n\r\n`,
      `POST /e HTTP/1.1\r\n${head("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n")}\r\n0\r\n\r\n`,
      `POST /f HTTP/1.1\r\n${head("Transfer-Encoding: xchunked\r\n")}\r\n0\r\n\r\n`,
      `POST /g HTTP/1.1\r\n${head("Content-Length: +3\r\n")}\r\nabc`,
    ]) {
      const answer = await rawExchange(echoPort, request);
      expect(answer, request).toMatch(/^HTTP\/1\.1 400 /);
    }
    const after = await logOf();
    expect(after.length).toBe(before + 1);
    expect(after.join("\n")).not.toMatch(/smuggled|\/[a-g]$/);
  });

  it("a GET with a chunked body is forwarded with its framing: the dev server gets one request with that body", async () => {
    const answer = await rawExchange(
      echoPort,
      `GET /te-get HTTP/1.1\r\n${head("Transfer-Encoding: chunked\r\nConnection: close\r\n")}\r\n${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const echo = bodyOf(answer);
    expect(echo).toMatchObject({ method: "GET", url: "/te-get", body: SMUGGLED });
    expect(echo.headers["transfer-encoding"]).toBe("chunked");
    expect((await logOf()).join("\n")).not.toContain("smuggled");
  });

  it("a length named in Connection (so dropped as hop-by-hop) is restated: the body stays a body", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const answer = await rawExchange(
        echoPort,
        `${method} /cl-hop HTTP/1.1\r\n${head(`Content-Length: ${SMUGGLED.length}\r\nConnection: close, Content-Length\r\n`)}\r\n${SMUGGLED}`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      const echo = bodyOf(answer);
      expect(echo).toMatchObject({ method, url: "/cl-hop", body: SMUGGLED });
      expect(echo.headers["content-length"]).toBe(String(SMUGGLED.length));
    }
    expect((await logOf()).join("\n")).not.toContain("smuggled");
  });

  it("a chunked POST arrives whole; an empty POST says Content-Length: 0", async () => {
    const answer = await rawExchange(
      echoPort,
      `POST /chunked HTTP/1.1\r\n${head("Transfer-Encoding: chunked\r\nConnection: close\r\n")}\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`,
    );
    expect(bodyOf(answer)).toMatchObject({ method: "POST", body: "abcde" });
    const empty = await rawExchange(echoPort, `POST /empty HTTP/1.1\r\n${head("Connection: close\r\n")}\r\n`);
    expect(bodyOf(empty).headers["content-length"]).toBe("0");
  });

  it("a WebSocket handshake with a body is refused", async () => {
    const answer = await rawExchange(
      echoPort,
      `GET /hmr HTTP/1.1\r\n${head("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 4\r\n")}\r\nabcd`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe("what crosses the proxy", () => {
  it("strips the preview's and the app's cookies and the Authorization header on the way in, keeps the page's own cookies", async () => {
    const { echo } = await echoOf("/headers", { cookie: `${ownerCookie}; theme=dark; __Secure-next-auth.session-token=x; ${appSessionCookie}` });
    expect(JSON.stringify(echo.headers)).not.toContain("pantheon-preview");
    expect(echo.headers.cookie).toBe("theme=dark");
    expect(JSON.stringify(echo.headers)).not.toContain("next-auth");
    const { key } = await keyCaller(owner, ["projects:read"]);
    const byKey = await httpGet(echoUrl, { authorization: `Bearer ${key}` });
    const seen = JSON.parse(byKey.body) as Echo;
    expect(seen.headers.authorization).toBeUndefined();
    expect(byKey.body).not.toContain(key);
    expect(seen.headers.host).toBe(`127.0.0.1:${echoPort}`);
  });

  it("drops Set-Cookie for the app's cookie names on the way out, keeps the page's own", async () => {
    const { answer } = await echoOf("/");
    expect(answer.headers["set-cookie"]).toEqual(["app=1; Path=/"]);
  });
});

describe("crafted request targets never leave the project's container", () => {
  it("paths that look like other hosts or traversals reach the dev server as paths", async () => {
    for (const path of [
      "//169.254.169.254/latest/meta-data/",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/..%2f..%2fetc/passwd",
      "//localhost:3000/api/health",
      "/%2F%2F127.0.0.1:5432/",
    ]) {
      const { echo } = await echoOf(path);
      expect(echo.url).toBe(path);
    }
  });

  it("absolute-form and authority-form targets and CONNECT are refused, and the dev server sees none of them", async () => {
    const before = (await echoOf("/")).echo.seen;
    const absolute = await rawExchange(
      echoPort,
      `GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\nCookie: ${ownerCookie}\r\nConnection: close\r\n\r\n`,
    );
    expect(absolute).toMatch(/^HTTP\/1\.1 400 /);
    const connect = await rawExchange(echoPort, `CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\nCookie: ${ownerCookie}\r\n\r\n`);
    expect(connect).not.toMatch(/^HTTP\/1\.1 200/);
    const asterisk = await rawExchange(echoPort, `OPTIONS * HTTP/1.1\r\nHost: x\r\nCookie: ${ownerCookie}\r\nConnection: close\r\n\r\n`);
    expect(asterisk).toMatch(/^HTTP\/1\.1 400 /);
    const upgrade = await rawExchange(
      echoPort,
      `GET http://169.254.169.254/ HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${ownerCookie}\r\n\r\n`,
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 400 /);
    expect((await echoOf("/")).echo.seen).toBe(before + 1);
  });

  it("a Host header naming another place changes nothing: the request still reaches this project's server", async () => {
    const { echo } = await echoOf("/", { host: "169.254.169.254" });
    expect(echo.headers.host).toBe("169.254.169.254");
    expect(echo.url).toBe("/");
  });
});

describe("ports", () => {
  it("refuses denylisted and privileged ports when starting a process", async () => {
    for (const port of [22, 2375, 2376, 5432, 3306, 6379, 27017, 9200, 11211, 3000]) {
      await expect(caller.processes.start({ projectId, command: "sleep 1", port })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining("denylist"),
      });
    }
    await expect(caller.processes.start({ projectId, command: "sleep 1", port: 80 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await caller.processes.list({ projectId })).filter((p) => p.status === "running")).toHaveLength(1);
  });

  it("the gateway itself refuses to open a denylisted port, whoever asks", async () => {
    await expect(harness.gateway.open({ processId: 999_999, projectId, port: 5432, image: "node" })).rejects.toThrow(/denylist/);
  });

  it("a second process on a port the project already serves is refused", async () => {
    await expect(caller.processes.start({ projectId, command: "node echo.mjs", port: 9090 })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a port with nothing listening answers a page that says so", async () => {
    const idle = await caller.processes.start({ projectId, command: "sleep 1000", port: 9191 });
    const answer = await httpGet(idle.previewUrl ?? "", { cookie: await previewCookie(caller, idle.id) });
    expect(answer.status).toBe(502);
    expect(answer.headers["content-type"]).toContain("text/html");
    expect(answer.body).toContain("Nothing is listening on port 9191");
    expect(answer.body).toContain("nothing listening on port 9191");
    // A WebSocket handshake (Vite's HMR) to the empty port says so too, with 502.
    const idlePort = Number(new URL(idle.previewUrl ?? "").port);
    const idleOrigin = new URL(idle.previewUrl ?? "").origin;
    const handshake = await rawExchange(
      idlePort,
      `GET /hmr HTTP/1.1\r\nHost: 127.0.0.1:${idlePort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${await previewCookie(caller, idle.id)}\r\nOrigin: ${idleOrigin}\r\n\r\n`,
    );
    expect(handshake).toMatch(/^HTTP\/1\.1 502 /);
    expect(handshake).toContain("nothing listening on port 9191");
    expect(await caller.processes.probe({ processId: idle.id })).toEqual({ listening: false, detail: "nothing listening on port 9191" });
    expect(await caller.processes.probe({ processId: echoProcessId })).toEqual({ listening: true, detail: null });
    await caller.processes.stop({ processId: idle.id });
  });
});

describe("background processes", () => {
  it("are listed with their status and preview URL, their output is streamed, and stop closes the preview", async () => {
    const list = await caller.processes.list({ projectId });
    expect(list.find((p) => p.id === echoProcessId)).toMatchObject({ status: "running", command: "node echo.mjs", port: 9090, previewUrl: echoUrl });
    const seen: string[] = [];
    for await (const event of await caller.processes.output({ processId: echoProcessId })) {
      const data = unwrap(event);
      if (data.type !== "exit") seen.push(data.data);
      if (seen.join("").includes("echo ready")) break;
    }
    expect(seen.join("")).toContain("echo ready on 9090");

    const other = await caller.processes.start({ projectId, command: "node echo.mjs", port: 9292 });
    await waitForPreview(other.previewUrl ?? "", { cookie: await previewCookie(caller, other.id) });
    const stopped = await caller.processes.stop({ processId: other.id });
    expect(stopped).toMatchObject({ status: "stopped", previewUrl: null });
    await expect(httpGet(other.previewUrl ?? "", { cookie: ownerCookie })).rejects.toThrow(/ECONNREFUSED/);
    const got = await caller.processes.get({ processId: other.id });
    expect(got.output).toContain("echo ready on 9292");
  });

  it("a dev server that crashes is recorded as failed with its output, and its preview closes", async () => {
    const crash = await caller.processes.start({ projectId, command: "echo starting; sleep 0.5; echo 'Error: boom' >&2; exit 3", port: 9393 });
    const events = [];
    for await (const event of await caller.processes.output({ processId: crash.id })) events.push(unwrap(event));
    expect(events.at(-1)).toMatchObject({ type: "exit", status: "failed", exitCode: 3 });
    expect(events.map((e) => (e.type === "exit" ? "" : e.data)).join("")).toContain("Error: boom");
    const got = await caller.processes.get({ processId: crash.id });
    expect(got).toMatchObject({ status: "failed", exitCode: 3, previewUrl: null });
    expect(got.output).toContain("starting");
    expect(got.output).toContain("Error: boom");
    // Replayed from the database once it is no longer live.
    const replay = [];
    for await (const event of await caller.processes.output({ processId: crash.id })) replay.push(unwrap(event));
    expect(JSON.stringify(replay)).toContain("Error: boom");
  });

  it("survives executions in the same project (the sweep spares it) and executions still run", async () => {
    const run = await caller.executions.run({ projectId, kind: "command", command: "echo hi" });
    expect(run.executionId).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await echoOf("/after-run")).echo.url).toBe("/after-run");
  });

  it("other users cannot list, read, stop or follow them", async () => {
    const stranger = await sessionCaller((await makeUser()).id);
    await expect(stranger.processes.list({ projectId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(stranger.processes.get({ processId: echoProcessId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(stranger.processes.stop({ processId: echoProcessId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(drain(await stranger.processes.output({ processId: echoProcessId }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await echoOf("/")).answer.status).toBe(200);
  });

  it("releasing the project stops its processes (recorded as stopped) and closes their previews", async () => {
    const other = (await caller.projects.create({ name: "released", template: "node-api" })).id;
    const started = await caller.processes.start({ projectId: other, command: "sleep 1000", port: 9494 });
    await caller.projects.release({ projectId: other });
    expect((await caller.processes.list({ projectId: other }))[0]).toMatchObject({ id: started.id, status: "stopped", previewUrl: null });
    await expect(httpGet(started.previewUrl ?? "", { cookie: ownerCookie })).rejects.toThrow(/ECONNREFUSED/);
  });
});

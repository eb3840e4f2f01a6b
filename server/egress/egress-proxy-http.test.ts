// Plain-HTTP forwarding through the proxy, against an in-memory upstream that records every request
// it parses and every raw byte it got: the Host it sees is the allowed target's, and a body always
// arrives framed, so it can never be read as a second request (request smuggling).
import { describe, expect, it } from "vitest";
import { proxyHarness } from "@/test/support/egress-proxy-harness";

const DNS = { "registry.npmjs.org": ["203.0.113.10"], "example.com": ["93.184.216.34"] };
const setup = () => proxyHarness({ r: "registry", o: "open" }, { dns: DNS });

/** Header values of one name in a raw header list. */
const values = (raw: string[], name: string) => raw.filter((_v, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === name);

describe("plain HTTP: the upstream sees the allowed target's Host", () => {
  it("rewrites Host to the target (case, trailing dot, default port), drops proxy and connection-scoped headers", async () => {
    const h = setup();
    const answer = await h.send(
      "r",
      "GET http://REGISTRY.npmjs.org./is-number?x=1 HTTP/1.1\r\nHost: registry.NPMJS.org:80\r\nProxy-Authorization: Basic eA==\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nAccept: application/json\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*upstream ok/);
    expect(h.requests).toHaveLength(1);
    const req = h.requests[0]!;
    expect(req).toMatchObject({ method: "GET", url: "/is-number?x=1" });
    expect(values(req.rawHeaders, "host")).toEqual(["registry.npmjs.org"]);
    expect(values(req.rawHeaders, "accept")).toEqual(["application/json"]);
    for (const gone of ["proxy-authorization", "x-secret"]) expect(values(req.rawHeaders, gone), gone).toEqual([]);
    // Logged as asked; decided and forwarded as the canonical name.
    expect(h.decisions).toEqual([expect.objectContaining({ projectId: "r", method: "GET", host: "registry.npmjs.org.", port: 80, allowed: true })]);
  });

  it.each([
    ["another host", "Host: evil.example", /Host header "evil.example" does not match the request target registry.npmjs.org:80/],
    ["another port", "Host: registry.npmjs.org:8080", /does not match/],
    ["two Host headers (the first allowed)", "Host: registry.npmjs.org\r\nHost: evil.example", /more than one Host header/],
    ["a Host that is not a host", "Host: registry.npmjs.org@evil.example", /does not match/],
  ])("refuses a Host naming %s: 400 before any lookup or connection", async (_what, hostLines, reason) => {
    const h = setup();
    const answer = await h.send("r", `GET http://registry.npmjs.org/ HTTP/1.1\r\n${hostLines}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(reason);
    expect(h.dials).toEqual([]);
    expect(h.resolved).toEqual([]);
    expect(h.decisions[0]).toMatchObject({ projectId: "r", allowed: false });
  });

  it("registry: plain HTTP only to port 80; open: the Host still has to match the target", async () => {
    const h = setup();
    expect(await h.send("r", "GET http://registry.npmjs.org:443/ HTTP/1.1\r\nHost: registry.npmjs.org:443\r\nConnection: close\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 403 [^]*plain HTTP only to port 80/,
    );
    expect(await h.send("o", "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
    expect(await h.send("o", "GET http://example.com/ HTTP/1.1\r\nHost: other.example\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("refuses methods outside the forwarded set with 405 (TRACE, PURGE: a CDN may act on them)", async () => {
    const h = setup();
    for (const method of ["TRACE", "PURGE", "PROPFIND"]) {
      const answer = await h.send("o", `${method} http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n`);
      expect(answer, method).toMatch(/^HTTP\/1\.1 405 [^]*Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/);
    }
    expect(h.dials).toEqual([]);
  });
});

describe("plain HTTP: bodies are framed explicitly on every method", () => {
  const smuggled = "GET /admin HTTP/1.1\r\nHost: internal.example\r\n\r\n";

  it("a chunked body on GET reaches the upstream chunked, as one request (its bytes are not a second request)", async () => {
    const h = setup();
    const chunk = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const answer = await h.send(
      "o",
      `GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.requests.map((r) => [r.method, r.url, r.body])).toEqual([["GET", "/", smuggled]]);
    const raw = h.dials[0]!.received().toString("latin1");
    expect(raw).toMatch(/\r\nTransfer-Encoding: chunked\r\n/i);
    expect(raw).not.toMatch(/content-length/i);
  });

  it("a Content-Length body on GET is forwarded with exactly that Content-Length", async () => {
    const h = setup();
    await h.send("o", `GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`);
    expect(h.requests.map((r) => [r.method, r.url, r.body])).toEqual([["GET", "/", smuggled]]);
    const raw = h.dials[0]!.received().toString("latin1");
    expect(raw).toContain(`\r\nContent-Length: ${smuggled.length}\r\n`);
    expect(raw).not.toMatch(/transfer-encoding/i);
  });

  it("a POST without a body goes out as a bodyless request; pipelined requests are decided one by one", async () => {
    const h = setup();
    const client = h.connect("o");
    const reply = h.answer(client);
    client.write(
      "POST http://example.com/a HTTP/1.1\r\nHost: example.com\r\n\r\nGET http://example.com/b HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
    );
    expect((await reply).toString().match(/upstream ok/g)).toHaveLength(2);
    expect(h.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ["POST", "/a", ""],
      ["GET", "/b", ""],
    ]);
    expect(h.dials).toHaveLength(2); // one upstream connection per request, never reused
  });

  it.each([
    ["Content-Length with Transfer-Encoding", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
    ["two different Content-Lengths", "Content-Length: 3\r\nContent-Length: 40\r\n\r\nabc"],
    ["a coding other than chunked", "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"],
    ["chunked not last", "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"],
    ["a Transfer-Encoding with a space before the colon", "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"],
    ["a signed Content-Length", "Content-Length: +3\r\n\r\nabc"],
  ])("refuses %s with 400, nothing forwarded", async (_what, rest) => {
    const h = setup();
    const answer = await h.send("o", `POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\n${rest}`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(h.dials).toEqual([]);
    expect(h.decisions[0]).toMatchObject({ projectId: "o", allowed: false });
  });

  it("absolute-form only: origin-form, https://, userinfo, and an absolute target with a smuggling Host are refused", async () => {
    const h = setup();
    expect(await h.send("o", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await h.send("o", "GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await h.send("o", "GET http://example.com@169.254.169.254/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await h.send("o", "GET http://example.com/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 [^]*does not match/);
    expect(h.dials).toEqual([]);
  });

  it("the upstream's response reaches the client framed: chunked stays a framed body, hop-by-hop headers go", async () => {
    const h = proxyHarness(
      { o: "open" },
      {
        dns: DNS,
        upstream: (end) => {
          end.once("data", () => {
            end.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nX-Kept: 2\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
          });
        },
      },
    );
    const answer = await h.send("o", "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
    const head = answer.slice(0, answer.indexOf("\r\n\r\n"));
    const body = answer.slice(head.length + 4);
    expect(head).toMatch(/\r\nX-Kept: 2/);
    expect(head).not.toMatch(/X-Hop/);
    expect(head).toMatch(/\r\nTransfer-Encoding: chunked/);
    expect(body).toBe("5\r\nhello\r\n0\r\n\r\n");
  });
});

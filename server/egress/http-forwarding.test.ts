// The pure plain-HTTP rules: Host matching, body framing, which headers cross the proxy.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkHostHeader, clientResponseHeaders, endToEndHeaders, requestFraming, upstreamHost, upstreamRequestHeaders } from "./http-forwarding";

const target = { host: "registry.npmjs.org", port: 80 };

describe("checkHostHeader", () => {
  it.each([["registry.npmjs.org"], ["REGISTRY.npmjs.org"], ["registry.npmjs.org."], ["registry.npmjs.org:80"], [" registry.npmjs.org "]])(
    "accepts %j for the target",
    (host) => {
      expect(checkHostHeader(["Host", host], target)).toEqual({ ok: true });
    },
  );

  it.each([
    ["evil.example"],
    ["registry.npmjs.org:443"],
    ["registry.npmjs.org.evil.example"],
    ["registry.npmjs.org@evil.example"],
    ["registry.npmjs.org:80:80"],
    [""],
    ["[::1]"],
    ["registry.npmjs.org/x"],
  ])("refuses %j", (host) => {
    expect(checkHostHeader(["Host", host], target).ok).toBe(false);
  });

  it("refuses two Host headers even when the first matches; none (HTTP/1.0) is fine", () => {
    expect(checkHostHeader(["Host", "registry.npmjs.org", "host", "evil.example"], target)).toEqual({ ok: false, reason: "more than one Host header" });
    expect(checkHostHeader(["Accept", "*/*"], target)).toEqual({ ok: true });
  });

  it("compares addresses by value (IPv4 forms, IPv6 spellings) and never matches a name to an address", () => {
    expect(checkHostHeader(["Host", "[::FFFF:a9fe:a9fe]"], { host: "[::ffff:169.254.169.254]", port: 80 }).ok).toBe(true);
    expect(checkHostHeader(["Host", "0x7f000001"], { host: "127.0.0.1", port: 80 }).ok).toBe(true);
    expect(checkHostHeader(["Host", "example.com"], { host: "93.184.216.34", port: 80 }).ok).toBe(false);
  });

  it("property: accepts exactly the target's own name and port, however spelled", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 2, maxLength: 4 }),
        fc.array(label, { minLength: 2, maxLength: 4 }),
        fc.constantFrom(80, 443, 8080),
        fc.boolean(),
        (a, b, port, dot) => {
          const name = a.join(".");
          const other = b.join(".");
          const spelled = `${name.toUpperCase()}${dot ? "." : ""}${port === 80 && dot ? "" : `:${port}`}`;
          expect(checkHostHeader(["Host", spelled], { host: name, port }).ok).toBe(true);
          expect(checkHostHeader(["Host", `${other}:${port}`], { host: name, port }).ok).toBe(other === name);
          expect(checkHostHeader(["Host", `${name}:${port + 1}`], { host: name, port }).ok).toBe(false);
        },
      ),
    );
  });
});

describe("upstreamHost", () => {
  it("is the canonical target, with the port only when not 80", () => {
    expect(upstreamHost({ host: "Registry.npmjs.org.", port: 80 })).toBe("registry.npmjs.org");
    expect(upstreamHost({ host: "example.com", port: 443 })).toBe("example.com:443");
    expect(upstreamHost({ host: "[2001:db8:0::1]", port: 80 })).toBe("[2001:db8::1]");
    expect(upstreamHost({ host: "bad host", port: 80 })).toBeNull();
  });
});

describe("requestFraming", () => {
  it("reads the client's framing and refuses anything ambiguous", () => {
    expect(requestFraming({})).toEqual({ kind: "none" });
    expect(requestFraming({ "content-length": "12" })).toEqual({ kind: "length", length: 12 });
    expect(requestFraming({ "transfer-encoding": "Chunked " })).toEqual({ kind: "chunked" });
    expect(requestFraming({ "transfer-encoding": "chunked", "content-length": "3" })).toHaveProperty("error");
    for (const te of ["gzip, chunked", "chunked, chunked", "identity", ""]) expect(requestFraming({ "transfer-encoding": te }), te).toHaveProperty("error");
    for (const cl of ["-1", "+3", "3 ", "1e3", "0x10", "1234567890123456", ""]) expect(requestFraming({ "content-length": cl }), cl).toHaveProperty("error");
  });
});

describe("headers across the proxy", () => {
  it("the upstream gets the target's Host once, explicit framing once, and no connection-scoped header", () => {
    const raw = [
      "Host",
      "evil.example",
      "Content-Length",
      "999",
      "Transfer-Encoding",
      "chunked",
      "Connection",
      "keep-alive, X-Drop",
      "X-Drop",
      "1",
      "Proxy-Authorization",
      "x",
      "Expect",
      "100-continue",
      "Upgrade",
      "h2c",
      "Accept",
      "*/*",
    ];
    expect(upstreamRequestHeaders(raw, "registry.npmjs.org", { kind: "length", length: 4 })).toEqual([
      "Host",
      "registry.npmjs.org",
      "Accept",
      "*/*",
      "Content-Length",
      "4",
    ]);
    expect(upstreamRequestHeaders(raw, "registry.npmjs.org", { kind: "chunked" })).toEqual([
      "Host",
      "registry.npmjs.org",
      "Accept",
      "*/*",
      "Transfer-Encoding",
      "chunked",
    ]);
    expect(upstreamRequestHeaders(raw, "registry.npmjs.org", { kind: "none" })).toEqual(["Host", "registry.npmjs.org", "Accept", "*/*"]);
    expect(endToEndHeaders(["Set-Cookie", "a=1", "set-cookie", "b=2"])).toEqual(["Set-Cookie", "a=1", "set-cookie", "b=2"]);
  });

  it("the client gets the response's Content-Length only when the response was not chunked", () => {
    expect(clientResponseHeaders(["Content-Length", "5", "ETag", "x"])).toEqual(["ETag", "x", "Content-Length", "5"]);
    expect(clientResponseHeaders(["Transfer-Encoding", "chunked", "Content-Length", "5"])).toEqual([]);
  });
});

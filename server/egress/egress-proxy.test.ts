// Refusals at the proxy, on in-memory connections: no packet leaves for the refused destinations
// (the resolver is a fake that records what it was asked). Allowed traffic: egress.docker.test.ts.
import { describe, expect, it } from "vitest";
import type { NetworkPolicy } from "./address-policy";
import { parseAuthority } from "./egress-proxy";
import { connectRequest as connect, proxyHarness } from "@/test/support/egress-proxy-harness";

const setup = (policies: Record<string, NetworkPolicy>, dns: Record<string, string[]> = {}) => proxyHarness(policies, { dns });

describe("parseAuthority", () => {
  it("reads host:port and bracketed IPv6, refuses the rest", () => {
    expect(parseAuthority("registry.npmjs.org:443")).toEqual({ host: "registry.npmjs.org", port: 443 });
    expect(parseAuthority("[::1]:443")).toEqual({ host: "[::1]", port: 443 });
    for (const bad of ["registry.npmjs.org", "a@b:443", "a:443/x", "a:99999", "a:0", ":443", "a b:443", "::1:443"]) expect(parseAuthority(bad), bad).toBeNull();
  });
});

describe("EgressProxy refusals", () => {
  it("registry: a non-allowed domain is refused BEFORE any DNS lookup, logged with the project id", async () => {
    const { send, decisions, lines, resolved } = setup({ "41": "registry" });
    const answer = await send("41", connect("secret-data.attacker.example:443"));
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toContain("secret-data.attacker.example is not an allowed registry host");
    expect(resolved).toEqual([]);
    expect(decisions).toEqual([
      expect.objectContaining({ projectId: "41", policy: "registry", method: "CONNECT", host: "secret-data.attacker.example", port: 443, allowed: false }),
    ]);
    expect(lines).toEqual([expect.objectContaining({ msg: "egress refused", projectId: "41", host: "secret-data.attacker.example", allowed: false })]);
  });

  it.each([
    ["169.254.169.254:443", "link-local / cloud metadata"],
    ["0xA9FEA9FE:443", "169.254.169.254 is link-local"],
    ["2852039166:443", "169.254.169.254 is link-local"],
    ["[::ffff:169.254.169.254]:443", "link-local"],
    ["[fd00:ec2::254]:443", "unique local"],
    ["localhost:443", "localhost is this host"],
    ["localhost.:443", "localhost is this host"],
    ["127.0.0.1:443", "loopback"],
    ["172.17.0.1:443", "RFC 1918"],
    ["198.51.100.9:443", "this host"],
    ["10.0.0.8:443", "RFC 1918"],
    ["example.com:22", "port 22 is not allowed"],
    ["example.com:5432", "port 5432 is not allowed"],
  ])("open: CONNECT %s is refused (%s)", async (target, reason) => {
    const { send, decisions, resolved } = setup({ "7": "open" });
    const answer = await send("7", connect(target));
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).toContain(reason);
    expect(decisions[0]).toMatchObject({ projectId: "7", policy: "open", allowed: false });
    expect(resolved).toEqual([]);
  });

  it("open: a name resolving to a private or metadata address is refused (DNS rebinding), no connection made", async () => {
    const { send, decisions } = setup({ "7": "open" }, { "rebind.example": ["93.184.216.34", "169.254.169.254"], "internal.example": ["10.1.1.1"] });
    expect(await send("7", connect("rebind.example:443"))).toContain("rebind.example resolves to 169.254.169.254 is link-local");
    expect(await send("7", connect("internal.example:443"))).toContain("resolves to 10.1.1.1 is private");
    expect(decisions.map((d) => [d.host, d.address, d.allowed])).toEqual([
      ["rebind.example", "169.254.169.254", false],
      ["internal.example", "10.1.1.1", false],
    ]);
  });

  it("registry: an allowed name resolving to a private address is still refused", async () => {
    const { send } = setup({ "5": "registry" }, { "registry.npmjs.org": ["127.0.0.1"] });
    expect(await send("5", connect("registry.npmjs.org:443"))).toContain("resolves to 127.0.0.1 is loopback");
  });

  it("none (or an unknown project) refuses everything", async () => {
    const { send, decisions } = setup({ "3": "none" });
    expect(await send("3", connect("registry.npmjs.org:443"))).toContain("network policy is none");
    expect(await send("99", connect("registry.npmjs.org:443"))).toContain("policy lookup failed");
    expect(decisions.every((d) => !d.allowed)).toBe(true);
  });

  it("plain HTTP: absolute-form URLs get the same checks; origin-form and https:// are refused", async () => {
    const { send, decisions } = setup({ "8": "open" });
    const metadata = await send("8", "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
    expect(metadata).toMatch(/^HTTP\/1\.1 403 /);
    expect(decisions[0]).toMatchObject({ projectId: "8", method: "GET", host: "169.254.169.254", port: 80, allowed: false });
    expect(await send("8", "GET http://[::ffff:a9fe:a9fe]:80/ HTTP/1.1\r\nHost: [::ffff:169.254.169.254]\r\n\r\n")).toMatch(/^HTTP\/1\.1 403 /);
    expect(await send("8", "GET http://[::ffff:a9fe:a9fe]:80/ HTTP/1.1\r\nHost: x\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 [^]*does not match/);
    expect(await send("8", "GET http://example.com:8080/ HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")).toContain("port 8080 is not allowed");
    expect(await send("8", "GET / HTTP/1.1\r\nHost: 127.0.0.1:3128\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await send("8", "GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await send("8", "GET http://user:pw@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("malformed CONNECT targets are refused and logged", async () => {
    const { send, decisions } = setup({ "2": "open" });
    expect(await send("2", connect("example.com"))).toMatch(/^HTTP\/1\.1 400 /);
    expect(await send("2", connect("a@169.254.169.254:443"))).toMatch(/^HTTP\/1\.1 400 /);
    expect(decisions.map((d) => [d.projectId, d.reason])).toEqual([
      ["2", "malformed request target"],
      ["2", "malformed request target"],
    ]);
  });
});

import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { checkAddress, decideHost, DEFAULT_REGISTRY_HOSTS, type EgressVia, HostAddressSet, parseHost } from "./address-policy";

// This host, as the gateway builds it: interface addresses and Docker network subnets.
const host = new HostAddressSet(["127.0.0.1", "::1", "172.17.0.1", "203.0.113.7", "2001:db8::7", "fe80::1%eth0"], ["172.17.0.0/16", "198.51.100.0/24"]);
const opts = { registryHosts: DEFAULT_REGISTRY_HOSTS, host, via: "connect" as const };
const open = (h: string, port = 443, via: EgressVia = "connect") => decideHost("open", h, port, { ...opts, via });
const registry = (h: string, port = 443, via: EgressVia = "connect") => decideHost("registry", h, port, { ...opts, via });
const addr = (text: string) => checkAddress(ipaddr.parse(text), host);

describe("checkAddress", () => {
  it.each([
    ["169.254.169.254", "link-local / cloud metadata"],
    ["fd00:ec2::254", "unique local"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "RFC 1918"],
    ["172.16.0.1", "RFC 1918"],
    ["172.31.255.255", "RFC 1918"],
    ["192.168.1.1", "RFC 1918"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.254", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "link-local"],
    ["fc00::1", "unique local"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:10.0.0.1", "RFC 1918"],
    ["::169.254.169.254", "link-local"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["2002:a9fe:a9fe::1", "link-local"],
    ["2002:7f00:1::", "loopback"],
  ])("refuses %s (%s)", (text, why) => {
    const v = addr(text);
    expect(v.ok).toBe(false);
    expect(v.reason).toContain(why);
  });

  it("refuses this host's own addresses and Docker subnets, even when public-looking", () => {
    for (const text of ["203.0.113.7", "2001:db8::7", "::ffff:203.0.113.7", "198.51.100.42", "172.17.0.5"]) {
      expect(addr(text).ok, text).toBe(false);
    }
    expect(addr("203.0.113.7").reason).toContain("this host");
  });

  it("allows public addresses, including TEST-NET ones this machine's registry uses", () => {
    for (const text of ["104.16.0.1", "203.0.113.80", "8.8.8.8", "2606:4700::6810:1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "169.253.255.255"]) {
      expect(addr(text), text).toEqual({ ok: true, reason: "public address" });
    }
  });
});

describe("parseHost", () => {
  it.each([
    ["169.254.169.254", "169.254.169.254"],
    ["0xA9FEA9FE", "169.254.169.254"],
    ["0xa9fea9fe", "169.254.169.254"],
    ["2852039166", "169.254.169.254"],
    ["0251.0376.0251.0376", "169.254.169.254"],
    ["0xa9.0xfe.0xa9.0xfe", "169.254.169.254"],
    ["169.254.43518", "169.254.169.254"],
    ["127.1", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["169.254.169.254.", "169.254.169.254"],
    ["[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe"],
    ["[fd00:ec2::254]", "fd00:ec2::254"],
  ])("reads %s as the address %s", (raw, want) => {
    const parsed = parseHost(raw);
    expect(parsed).toMatchObject({ kind: "ip" });
    if ("kind" in parsed && parsed.kind === "ip") expect(parsed.addr.toString()).toBe(want);
  });

  it("normalises names: case, one trailing dot", () => {
    expect(parseHost("Registry.NPMJS.org.")).toEqual({ kind: "name", name: "registry.npmjs.org" });
  });

  it.each([
    "%31%32%37.0.0.1",
    "evil.com@registry.npmjs.org",
    "a b",
    "foo_bar.com",
    "registry.npmjs.org..",
    "",
    "1.2.3.4.5",
    "-x.com",
    "[not-ipv6]",
    "a/b",
    "host\r\nx",
  ])("refuses the malformed host %j", (raw) => {
    expect(parseHost(raw)).toHaveProperty("error");
  });
});

describe("decideHost", () => {
  it("none refuses everything", () => {
    expect(decideHost("none", "registry.npmjs.org", 443, opts)).toEqual({ ok: false, reason: "the project's network policy is none" });
  });

  it("registry allows exactly the registry hosts, CONNECT to 443 and plain HTTP to 80, before any lookup", () => {
    for (const h of ["registry.npmjs.org", "REGISTRY.npmjs.org.", "pypi.org", "files.pythonhosted.org"]) expect(registry(h).ok, h).toBe(true);
    expect(registry("registry.npmjs.org", 80, "http").ok).toBe(true);
    for (const h of ["example.com", "npmjs.org", "evil.registry.npmjs.org", "registry.npmjs.org.evil.com", "registry.npmjs.org-x.com"]) {
      const d = registry(h);
      expect(d.ok, h).toBe(false);
    }
    expect(registry("example.com")).toEqual({ ok: false, reason: "registry policy: example.com is not an allowed registry host" });
  });

  it("registry: a CONNECT tunnel to port 80 is refused (an opaque channel where the client writes any Host), as is plain HTTP to 443", () => {
    expect(registry("registry.npmjs.org", 80)).toEqual({ ok: false, reason: "registry policy: CONNECT only to port 443 (TLS), not 80" });
    expect(registry("registry.npmjs.org", 443, "http")).toEqual({ ok: false, reason: "registry policy: plain HTTP only to port 80, not 443" });
    // "open" reaches any public destination anyway: both ports, both ways.
    for (const via of ["connect", "http"] as const) for (const port of [80, 443]) expect(open("example.com", port, via).ok).toBe(true);
  });

  it("registry refuses IP literals, even public ones", () => {
    expect(registry("203.0.113.80").ok).toBe(false);
    expect(registry("[2606:4700::1]").ok).toBe(false);
  });

  it("refuses ports other than 443 and 80 whatever the host (CONNECT host:22)", () => {
    for (const port of [22, 25, 2375, 5432, 3128, 8080, 0, 65535]) {
      expect(registry("registry.npmjs.org", port)).toEqual({ ok: false, reason: expect.stringContaining(`port ${port} is not allowed`) });
      expect(open("example.com", port).ok).toBe(false);
    }
  });

  it("open refuses crafted forms of the metadata address, localhost and this host", () => {
    for (const h of [
      "169.254.169.254",
      "0xA9FEA9FE",
      "2852039166",
      "[::ffff:169.254.169.254]",
      "[fd00:ec2::254]",
      "169.254.169.254.",
      "127.1",
      "0",
      "[::1]",
      "localhost",
      "LOCALHOST.",
      "app.localhost",
      "203.0.113.7",
    ]) {
      const d = open(h);
      expect(d.ok, h).toBe(false);
    }
    expect(open("0xA9FEA9FE")).toEqual({ ok: false, reason: "169.254.169.254 is link-local / cloud metadata" });
  });

  it("open allows public names and public literals (resolved names are checked after the lookup)", () => {
    expect(open("example.com")).toEqual({ ok: true, target: { kind: "name", name: "example.com" } });
    expect(open("8.8.8.8").ok).toBe(true);
  });
});

// What a sandbox may reach through the egress proxy: pure decisions on host names, ports and IPs.
// Refusals are by explicit lists (never "every IANA special range": this machine's npm registry
// answers on a TEST-NET address), plus every address of this host and of its Docker networks.
import ipaddr from "ipaddr.js";

export const NETWORK_POLICIES = ["none", "registry", "open"] as const;
export type NetworkPolicy = (typeof NETWORK_POLICIES)[number];

/** Hosts the images' package managers use (npm; pip: the index and the file host). */
export const DEFAULT_REGISTRY_HOSTS = ["registry.npmjs.org", "pypi.org", "files.pythonhosted.org"] as const;
/** HTTPS, and HTTP for package managers configured with a plain-HTTP mirror. */
export const ALLOWED_PORTS: ReadonlySet<number> = new Set([443, 80]);

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Addr, number];

const cidr = (text: string): Cidr => ipaddr.parseCIDR(text);

/** Refused whatever the policy. */
const FORBIDDEN_V4: readonly [Cidr, string][] = [
  [cidr("0.0.0.0/8"), "unspecified"],
  [cidr("10.0.0.0/8"), "private (RFC 1918)"],
  [cidr("100.64.0.0/10"), "carrier-grade NAT"],
  [cidr("127.0.0.0/8"), "loopback"],
  [cidr("169.254.0.0/16"), "link-local / cloud metadata"],
  [cidr("172.16.0.0/12"), "private (RFC 1918)"],
  [cidr("192.168.0.0/16"), "private (RFC 1918)"],
  [cidr("224.0.0.0/4"), "multicast"],
  [cidr("255.255.255.255/32"), "broadcast"],
];
const FORBIDDEN_V6: readonly [Cidr, string][] = [
  [cidr("::/128"), "unspecified"],
  [cidr("::1/128"), "loopback"],
  [cidr("fe80::/10"), "link-local"],
  [cidr("fec0::/10"), "site-local"],
  [cidr("fc00::/7"), "unique local (incl. fd00:ec2::254 metadata)"],
  [cidr("ff00::/8"), "multicast"],
];

export interface AddressVerdict {
  ok: boolean;
  reason: string;
}

/** IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4): each is checked too. */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4[] {
  const b = a.toByteArray();
  const v4 = (offset: number) => new ipaddr.IPv4(b.slice(offset, offset + 4));
  const out: ipaddr.IPv4[] = [];
  if (a.isIPv4MappedAddress()) out.push(a.toIPv4Address());
  if (b.slice(0, 12).every((x) => x === 0)) out.push(v4(12)); // ::a.b.c.d (deprecated "compatible")
  if (a.match(cidr("64:ff9b::/96"))) out.push(v4(12)); // NAT64
  if (a.match(cidr("64:ff9b:1::/48"))) out.push(v4(12));
  if (a.match(cidr("2002::/16"))) out.push(v4(2)); // 6to4
  return out;
}

/**
 * The addresses of this host (its interfaces) and the subnets of its Docker networks: the app,
 * the database, other sandboxes' bridges, whatever the host serves. Refreshed by the caller.
 */
export class HostAddressSet {
  private readonly exact = new Set<string>();
  private readonly subnets: Cidr[] = [];

  constructor(addresses: Iterable<string>, subnets: Iterable<string> = []) {
    for (const text of addresses) {
      const addr = parseIp(text.replace(/%.*$/, "")); // drop an IPv6 zone id
      if (addr) this.exact.add(normalized(addr).toString());
    }
    for (const text of subnets) {
      try {
        this.subnets.push(ipaddr.parseCIDR(text));
      } catch {
        // a subnet Docker reports in a form we do not parse cannot be matched; the fixed lists still apply
      }
    }
  }

  has(addr: Addr): boolean {
    const a = normalized(addr);
    if (this.exact.has(a.toString())) return true;
    return this.subnets.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  }

  get size(): number {
    return this.exact.size + this.subnets.length;
  }
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) compares as its IPv4 address. */
function normalized(addr: Addr): Addr {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

function parseIp(text: string): Addr | null {
  try {
    return ipaddr.parse(text);
  } catch {
    return null;
  }
}

/** Whether the proxy may open a connection to this (resolved or literal) address. */
export function checkAddress(addr: Addr, host: HostAddressSet): AddressVerdict {
  const candidates: Addr[] = [addr];
  if (addr.kind() === "ipv6") candidates.push(...embeddedV4(addr as ipaddr.IPv6));
  for (const a of candidates) {
    const list = a.kind() === "ipv4" ? FORBIDDEN_V4 : FORBIDDEN_V6;
    for (const [range, why] of list) {
      if (a.kind() === range[0].kind() && a.match(range)) return { ok: false, reason: `${a.toString()} is ${why}` };
    }
  }
  for (const a of candidates) {
    if (host.has(a)) return { ok: false, reason: `${a.toString()} is an address of this host or its Docker networks` };
  }
  return { ok: true, reason: "public address" };
}

export type ParsedHost = { kind: "ip"; addr: Addr } | { kind: "name"; name: string };

const NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * A CONNECT/URL host as the proxy will treat it. Anything a resolver would read as an IPv4
 * address (decimal "2852039166", hex "0xA9FEA9FE", octal, short forms) becomes that address;
 * names are lower-cased, lose one trailing dot, and must be plain LDH labels (no "%", "_",
 * spaces, userinfo...). IPv6 only in brackets.
 */
export function parseHost(raw: string): ParsedHost | { error: string } {
  const text = raw.trim().toLowerCase();
  if (text.startsWith("[") && text.endsWith("]")) {
    const inner = text.slice(1, -1).replace(/%.*$/, "");
    if (!ipaddr.IPv6.isValid(inner)) return { error: "invalid IPv6 literal" };
    return { kind: "ip", addr: ipaddr.IPv6.parse(inner) };
  }
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  if (!/^[a-z0-9.-]+$/.test(name)) return { error: "invalid host name" };
  // WHATWG URL host parsing applies the same IPv4 rules as inet_aton (what getaddrinfo would do).
  let urlHost: string;
  try {
    urlHost = new URL(`http://${name}/`).hostname;
  } catch {
    return { error: "invalid host (malformed IPv4 form)" };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(urlHost)) return { kind: "ip", addr: ipaddr.IPv4.parse(urlHost) };
  if (ipaddr.IPv4.isValid(name)) return { kind: "ip", addr: ipaddr.IPv4.parse(name) };
  if (!NAME.test(name)) return { error: "invalid host name" };
  if (/^[0-9]+$/.test(name.split(".").pop() ?? "")) return { error: "invalid host (numeric last label)" };
  return { kind: "name", name };
}

export function parseIpAddress(text: string): Addr | null {
  return parseIp(text);
}

export type HostDecision = { ok: true; target: ParsedHost } | { ok: false; reason: string };

/** How the client asked: a CONNECT tunnel (opaque bytes) or a plain HTTP request the proxy forwards. */
export type EgressVia = "connect" | "http";

/**
 * In `registry` mode a CONNECT tunnel carries TLS only (port 443, its SNI checked by the proxy):
 * a tunnel to port 80 would be an opaque channel in which the client writes any Host it likes.
 * Plain HTTP goes to port 80 only, with the Host header the proxy sets.
 */
const REGISTRY_PORT: Record<EgressVia, number> = { connect: 443, http: 80 };

/**
 * The checks done before any DNS lookup: policy, port, host syntax, the registry allowlist (so in
 * `registry` mode no name outside it is ever resolved: DNS cannot carry data out), and literal
 * addresses. Resolved addresses are checked afterwards with checkAddress().
 */
export function decideHost(
  policy: NetworkPolicy,
  rawHost: string,
  port: number,
  opts: { registryHosts: readonly string[]; host: HostAddressSet; via: EgressVia },
): HostDecision {
  if (policy === "none") return { ok: false, reason: "the project's network policy is none" };
  if (!ALLOWED_PORTS.has(port)) return { ok: false, reason: `port ${port} is not allowed (only ${[...ALLOWED_PORTS].join(", ")})` };
  if (policy === "registry" && port !== REGISTRY_PORT[opts.via]) {
    return {
      ok: false,
      reason:
        opts.via === "connect" ? `registry policy: CONNECT only to port 443 (TLS), not ${port}` : `registry policy: plain HTTP only to port 80, not ${port}`,
    };
  }
  const parsed = parseHost(rawHost);
  if ("error" in parsed) return { ok: false, reason: parsed.error };
  if (parsed.kind === "ip") {
    if (policy === "registry") return { ok: false, reason: "registry policy: IP addresses are not allowed, only registry host names" };
    const verdict = checkAddress(parsed.addr, opts.host);
    return verdict.ok ? { ok: true, target: parsed } : { ok: false, reason: verdict.reason };
  }
  if (parsed.name === "localhost" || parsed.name.endsWith(".localhost")) return { ok: false, reason: "localhost is this host" };
  if (policy === "registry" && !opts.registryHosts.includes(parsed.name)) {
    return { ok: false, reason: `registry policy: ${parsed.name} is not an allowed registry host` };
  }
  return { ok: true, target: parsed };
}

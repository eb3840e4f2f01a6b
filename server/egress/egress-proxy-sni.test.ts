// Registry CONNECT tunnels carry TLS to the allowed name only: the proxy reads the ClientHello's
// server name before a byte reaches the upstream (in memory: fake upstreams record what they got).
import { describe, expect, it } from "vitest";
import { buildHello, nodeClientHello } from "@/test/fixtures/client-hellos";
import type { MemoryEnd } from "@/test/support/duplex-pair";
import { connectRequest, proxyHarness } from "@/test/support/egress-proxy-harness";

const REGISTRY_DNS = { "registry.npmjs.org": ["203.0.113.10"], "example.com": ["93.184.216.34"] };

/** An upstream that records what it receives and answers nothing. */
const silentUpstream = (_end: MemoryEnd) => undefined;

/** CONNECT, wait for the proxy's 200, then send `then`; resolves with everything after the 200 until close. */
async function tunnel(h: ReturnType<typeof proxyHarness>, projectId: string, target: string, then: Buffer[] | ((client: MemoryEnd) => void)) {
  const client = h.connect(projectId);
  const reply = h.answer(client);
  let seen = "";
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      seen += d.toString("latin1");
      if (seen.includes("\r\n\r\n")) {
        client.off("data", onData);
        resolve();
      }
    };
    client.on("data", onData);
    client.write(connectRequest(target));
  });
  if (typeof then === "function") then(client);
  else for (const chunk of then) client.write(chunk);
  const all = (await reply).toString("latin1");
  return { status: seen.split("\r\n")[0], after: Buffer.from(all.slice(all.indexOf("\r\n\r\n") + 4), "latin1"), client };
}

const ALERT_UNRECOGNIZED_NAME = Buffer.from([21, 3, 3, 0, 2, 2, 112]);

describe("registry CONNECT: the TLS server name must be the allowed host", () => {
  it("a hello for the allowed name reaches the upstream byte for byte, then the tunnel is spliced", async () => {
    const h = proxyHarness(
      { r: "registry" },
      {
        dns: REGISTRY_DNS,
        upstream: (end) => {
          end.on("data", () => end.write("from upstream"));
          end.on("end", () => end.end());
        },
      },
    );
    const hello = await nodeClientHello({ servername: "registry.npmjs.org" });
    // Split in two writes: the proxy waits for the whole hello.
    const t = await tunnel(h, "r", "registry.npmjs.org:443", (client) => {
      client.write(hello.subarray(0, 10));
      setTimeout(() => client.write(hello.subarray(10)), 20);
      setTimeout(() => client.end(), 80);
    });
    expect(t.status).toBe("HTTP/1.1 200 Connection Established");
    expect(t.after.toString()).toContain("from upstream");
    expect(h.dials).toHaveLength(1);
    expect(h.dials[0]!.received().equals(hello)).toBe(true);
    expect(h.decisions).toEqual([expect.objectContaining({ projectId: "r", host: "registry.npmjs.org", serverName: "registry.npmjs.org", allowed: true })]);
  });

  it.each([
    ["another site on the same CDN", () => nodeClientHello({ servername: "evil.example" }), "TLS server name evil.example is not registry.npmjs.org"],
    ["no server name at all", () => nodeClientHello({ host: "203.0.113.10" }), "without a server name"],
    ["an Encrypted Client Hello behind the allowed outer name", async () => buildHello({ extensions: [[0xfe0d, [0, 1, 2, 3]]] }), "Encrypted Client Hello"],
    // "r\xe5gistry": a parser that folds bytes to 7 bits would read the allowed name.
    ["a name with a non-ASCII byte", async () => buildHello({ name: "r\xe5gistry.npmjs.org" }), "not ASCII"],
  ])("refuses %s: TLS alert to the client, not one byte upstream, logged", async (_what, makeHello, reason) => {
    const h = proxyHarness({ r: "registry" }, { dns: REGISTRY_DNS, upstream: silentUpstream });
    const t = await tunnel(h, "r", "registry.npmjs.org:443", [await makeHello()]);
    if (reason !== "not ASCII") expect(t.after.equals(ALERT_UNRECOGNIZED_NAME)).toBe(true);
    expect(h.dials[0]!.received().length).toBe(0);
    expect(h.decisions).toEqual([expect.objectContaining({ projectId: "r", allowed: false, reason: expect.stringContaining(reason) as unknown })]);
    expect(h.lines).toEqual([expect.objectContaining({ msg: "egress refused", projectId: "r", reason: expect.stringContaining(reason) as unknown })]);
  });

  it("plain HTTP inside a registry CONNECT tunnel (any Host the client likes) is refused before the upstream sees it", async () => {
    const h = proxyHarness({ r: "registry" }, { dns: REGISTRY_DNS, upstream: silentUpstream });
    const t = await tunnel(h, "r", "registry.npmjs.org:443", [Buffer.from("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")]);
    expect(t.after.length).toBe(0);
    expect(h.dials[0]!.received().length).toBe(0);
    expect(h.decisions[0]).toMatchObject({ allowed: false, reason: "not a valid TLS ClientHello: not a TLS handshake" });
  });

  it("a client that never completes its hello is refused after the bound (time), and one that floods after the bound (bytes)", async () => {
    const slow = proxyHarness({ r: "registry" }, { dns: REGISTRY_DNS, upstream: silentUpstream, proxy: { clientHelloTimeoutMs: 100 } });
    const hello = buildHello();
    await tunnel(slow, "r", "registry.npmjs.org:443", [hello.subarray(0, 20)]);
    expect(slow.decisions[0]).toMatchObject({ allowed: false, reason: "no TLS ClientHello within 0.1 s" });
    expect(slow.dials[0]!.received().length).toBe(0);

    const flood = proxyHarness({ r: "registry" }, { dns: REGISTRY_DNS, upstream: silentUpstream });
    const tiny = buildHello({ extensions: [[0x15, new Array<number>(8000).fill(0)]], recordSize: 1 });
    await tunnel(flood, "r", "registry.npmjs.org:443", [tiny]);
    expect(flood.decisions[0]).toMatchObject({ allowed: false, reason: "not a valid TLS ClientHello: ClientHello too large" });
  });

  it("a client that closes before sending anything is not logged as a refusal (nothing was sent anywhere)", async () => {
    const h = proxyHarness({ r: "registry" }, { dns: REGISTRY_DNS, upstream: silentUpstream });
    await tunnel(h, "r", "registry.npmjs.org:443", (client) => client.end());
    expect(h.decisions).toEqual([]);
    expect(h.dials[0]!.received().length).toBe(0);
  });

  it("CONNECT to port 80 is refused in registry mode (an opaque channel for any Host); open mode allows it and does not read SNI", async () => {
    const h = proxyHarness({ r: "registry", o: "open" }, { dns: REGISTRY_DNS, upstream: (end) => end.on("data", (d: Buffer) => end.end(d)) });
    const refused = await h.send("r", connectRequest("registry.npmjs.org:80"));
    expect(refused).toMatch(/^HTTP\/1\.1 403 [^]*CONNECT only to port 443/);
    expect(h.dials).toHaveLength(0);
    // open: any public destination is reachable anyway, so the name inside TLS (or plain HTTP) is not policed.
    const open = await tunnel(h, "o", "example.com:80", [Buffer.from("GET / HTTP/1.1\r\nHost: anything.example\r\n\r\n")]);
    expect(open.status).toBe("HTTP/1.1 200 Connection Established");
    expect(open.after.toString()).toBe("GET / HTTP/1.1\r\nHost: anything.example\r\n\r\n");
    const otherName = await tunnel(h, "o", "example.com:443", [await nodeClientHello({ servername: "other.example" })]);
    expect(otherName.status).toBe("HTTP/1.1 200 Connection Established");
    expect(h.decisions.filter((d) => d.projectId === "o").every((d) => d.allowed)).toBe(true);
  });
});

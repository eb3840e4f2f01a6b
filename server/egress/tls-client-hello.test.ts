// The ClientHello parser on real hellos (Node's own TLS client), hand-built ones, and fuzzed input:
// it must never throw, never read a name a server would read differently, and never wait forever.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildHello, bytes, type HelloOptions, nodeClientHello, serverNameExtension, u16, u24 } from "@/test/fixtures/client-hellos";
import { MAX_CLIENT_HELLO_BUFFER, parseClientHello } from "./tls-client-hello";

describe("parseClientHello on real hellos", () => {
  it("reads the name Node's TLS client sends (SNI), lower-cased, and the hello's length", async () => {
    const hello = await nodeClientHello({ servername: "Registry.NPMJS.org", ALPNProtocols: ["h2", "http/1.1"] });
    expect(parseClientHello(hello)).toEqual({ kind: "hello", serverName: "registry.npmjs.org", encryptedClientHello: false, length: hello.length });
    // Followed by more data (early data, the next record): the hello's length says where it ends.
    expect(parseClientHello(Buffer.concat([hello, Buffer.from([23, 3, 3, 0, 1, 0])]))).toMatchObject({ kind: "hello", length: hello.length });
  });

  it("a hello without SNI (Node connecting by IP) has no server name", async () => {
    const hello = await nodeClientHello({ host: "203.0.113.7" });
    expect(parseClientHello(hello)).toMatchObject({ kind: "hello", serverName: null });
  });

  it("every strict prefix of a real hello is incomplete, never invalid or a hello", async () => {
    const hello = await nodeClientHello({ servername: "pypi.org" });
    for (let n = 0; n < hello.length; n++) expect(parseClientHello(hello.subarray(0, n)).kind, `prefix ${n}`).toBe("incomplete");
  });
});

describe("parseClientHello strictness", () => {
  it("reassembles a hello fragmented over several records", () => {
    for (const recordSize of [1, 3, 40, 100])
      expect(parseClientHello(buildHello({ recordSize })), String(recordSize)).toMatchObject({ kind: "hello", serverName: "registry.npmjs.org" });
  });

  it.each<[string, Buffer, RegExp]>([
    ["plain HTTP", Buffer.from("GET / HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n"), /not a TLS handshake/],
    ["an SSLv2-style hello", Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01]), /not a TLS handshake/],
    ["a record of another version", Buffer.from([22, 2, 0, 0, 4, 1, 0, 0, 0]), /version/],
    ["an empty record", Buffer.from([22, 3, 1, 0, 0]), /length out of range/],
    ["a record over 2^14", Buffer.from([22, 3, 1, 0x40, 0x01]), /length out of range/],
    ["a ServerHello", Buffer.from([22, 3, 3, 0, 4, 2, 0, 0, 0]), /not a ClientHello/],
    [
      "an alert record mid-hello",
      Buffer.concat([buildHello({ recordSize: 10 }).subarray(0, 15), Buffer.from([21, 3, 3, 0, 2, 2, 40])]),
      /not a handshake record/,
    ],
    ["a hello declaring 1 MiB", Buffer.from([22, 3, 1, 0, 4, 1, 0x10, 0, 0]), /too large/],
  ])("refuses %s", (_what, data, reason) => {
    const result = parseClientHello(data);
    expect(result.kind).toBe("invalid");
    expect(result.kind === "invalid" && result.reason).toMatch(reason);
  });

  it("refuses what a server could read differently: duplicates, several names, non-ASCII, non-LDH, trailing dot", () => {
    const reason = (opts: HelloOptions) => {
      const r = parseClientHello(buildHello(opts));
      return r.kind === "invalid" ? r.reason : r.kind;
    };
    const entry = (type: number, name: string) => [type, ...u16(name.length), ...bytes(name)];
    const list = (...entries: number[][]) => {
      const flat = entries.flat();
      return [...u16(flat.length), ...flat];
    };
    expect(reason({ extensions: [[0, serverNameExtension("example.com")]] })).toMatch(/repeats extension 0/);
    expect(reason({ serverNameData: list(entry(0, "registry.npmjs.org"), entry(0, "example.com")) })).toMatch(/more than one host name/);
    expect(reason({ serverNameData: list(entry(1, "registry.npmjs.org")) })).toMatch(/unknown type/);
    // "r\xe5gistry": an "ascii" decoder clears the high bit and reads "registry".
    expect(reason({ name: "r\xe5gistry.npmjs.org" })).toMatch(/not ASCII/);
    for (const name of ["registry.npmjs.org.", "registry_npmjs.org", "a b.org", "registry.npmjs.org\0.evil", "", "-a.org", "a..org"]) {
      expect(reason({ name }), JSON.stringify(name)).toMatch(/not a host name|malformed/);
    }
    expect(reason({ serverNameData: [0, 5, 0, 0, 3, 97] })).toMatch(/truncated|malformed/);
    expect(reason({ serverNameData: [0, 0] })).toMatch(/malformed/);
  });

  it("marks an Encrypted Client Hello (its outer name is not where it goes) and a hello without extensions", () => {
    expect(parseClientHello(buildHello({ extensions: [[0xfe0d, [0, 1, 2]]] }))).toMatchObject({
      kind: "hello",
      serverName: "registry.npmjs.org",
      encryptedClientHello: true,
    });
    expect(parseClientHello(buildHello({ extensions: [[0xffce, [0]]] }))).toMatchObject({ encryptedClientHello: true });
    expect(parseClientHello(buildHello({ noExtensions: true }))).toMatchObject({ kind: "hello", serverName: null });
    expect(parseClientHello(buildHello({ name: null }))).toMatchObject({ kind: "hello", serverName: null });
  });

  it("refuses trailing handshake bytes inside the hello's last record", () => {
    const hello = buildHello();
    const padded = Buffer.concat([hello.subarray(0, 3), Buffer.from(u16(hello.length - 5 + 1)), hello.subarray(5), Buffer.from([0])]);
    expect(parseClientHello(padded)).toMatchObject({ kind: "invalid", reason: expect.stringMatching(/data after the ClientHello/) as unknown });
  });
});

describe("parseClientHello fuzzed", () => {
  it("never throws on arbitrary bytes; a verdict is one of the three kinds", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const r = parseClientHello(data);
        expect(["incomplete", "invalid", "hello"]).toContain(r.kind);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on arbitrary bytes behind a valid record header (deep paths)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 700 }), (payload) => {
        const body = Buffer.from([1, ...u24(payload.length), ...payload]);
        const record = Buffer.concat([Buffer.from([22, 3, 1, ...u16(body.length)]), body]);
        const r = parseClientHello(record);
        expect(r.kind).not.toBe("incomplete");
        if (r.kind === "hello" && r.serverName !== null) expect(r.serverName).toMatch(/^[a-z0-9.-]+$/);
      }),
      { numRuns: 3000 },
    );
  });

  it("any fragmentation of a valid hello, any host name, reads the same name; any mutation never throws", () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(255), (labels, recordSize, at, value) => {
        const name = labels.join(".");
        const hello = buildHello({ name, recordSize });
        expect(parseClientHello(hello)).toMatchObject({ kind: "hello", serverName: name, length: hello.length });
        const mutated = Buffer.from(hello);
        mutated[at % mutated.length] = value;
        const r = parseClientHello(mutated);
        if (r.kind === "hello" && r.serverName !== null) expect(r.serverName).toMatch(/^[a-z0-9.-]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("stops waiting once the bound is reached: a stream of tiny records is refused, not buffered forever", () => {
    const huge = buildHello({ name: `${"a".repeat(60)}.example`, extensions: [[0x15, new Array<number>(12000).fill(0)]], recordSize: 1 });
    expect(huge.length).toBeGreaterThan(MAX_CLIENT_HELLO_BUFFER);
    expect(parseClientHello(huge)).toMatchObject({ kind: "invalid", reason: "ClientHello too large" });
    expect(parseClientHello(huge.subarray(0, MAX_CLIENT_HELLO_BUFFER + 10))).toMatchObject({ kind: "invalid", reason: "ClientHello too large" });
  });
});

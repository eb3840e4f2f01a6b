// Reads the server name (SNI) from the first bytes a client sends on a CONNECT tunnel, without
// terminating TLS. Pure and strict: the proxy allows a registry connection only when the name the
// CDN in front of the registry will route on is the allowed name, so anything a server could read
// differently from us (duplicate extensions, several names, non-LDH bytes, trailing data, an
// Encrypted Client Hello hiding another name) is refused rather than guessed at.
//
// Written here rather than taken from npm: the maintained library for this (read-tls-client-hello)
// decodes the name as "ascii", which clears the high bit of every byte ("r\xe5gistry" reads as
// "registry" while the CDN sees other bytes), keeps the first of duplicated extensions, and reads
// from a stream with no time or size bound. Layout: RFC 8446 §4.1.2 and §5.1, RFC 6066 §3.

/** A ClientHello larger than this is refused (real ones are 0.3–4 KiB, post-quantum key shares included). */
export const MAX_CLIENT_HELLO_BYTES = 16 * 1024;
/** Raw bytes (records with their headers) buffered at most while waiting for the whole ClientHello. */
export const MAX_CLIENT_HELLO_BUFFER = 24 * 1024;

const RECORD_HEADER = 5;
const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const MAX_RECORD_PAYLOAD = 16384; // 2^14: larger TLSPlaintext records are a protocol error
const EXT_SERVER_NAME = 0x0000;
/** Encrypted Client Hello (RFC 9849) and its draft predecessor ESNI: the real name is encrypted. */
const EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d;
const EXT_ENCRYPTED_SERVER_NAME = 0xffce;
const NAME_TYPE_HOST_NAME = 0;
const LDH_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

export interface ClientHello {
  /** The host_name of the server_name extension, lower-cased; null when the client sent none. */
  serverName: string | null;
  /** The hello carries an encrypted inner hello (ECH/ESNI): its outer name is not the destination. */
  encryptedClientHello: boolean;
  /** Bytes of the input the hello's records occupy (what follows is the client's next data). */
  length: number;
}

export type ClientHelloResult = { kind: "incomplete" } | { kind: "invalid"; reason: string } | ({ kind: "hello" } & ClientHello);

const invalid = (reason: string): ClientHelloResult => ({ kind: "invalid", reason });

/**
 * Parses the TLS records at the start of `data` as one ClientHello (possibly fragmented over
 * several handshake records). "incomplete" means more bytes may make it valid; callers bound how
 * long and how much they wait (MAX_CLIENT_HELLO_BUFFER). Never throws.
 */
export function parseClientHello(data: Uint8Array): ClientHelloResult {
  if (data.length > 0 && data[0] !== CONTENT_HANDSHAKE) return invalid("not a TLS handshake");
  const fragments: Uint8Array[] = [];
  let handshakeBytes = 0;
  let offset = 0;
  let expected = -1; // whole handshake message length (header included), once known
  while (expected < 0 || handshakeBytes < expected) {
    if (data.length - offset < RECORD_HEADER) return data.length > MAX_CLIENT_HELLO_BUFFER ? invalid("ClientHello too large") : { kind: "incomplete" };
    const type = data[offset]!;
    const major = data[offset + 1]!;
    const minor = data[offset + 2]!;
    const length = (data[offset + 3]! << 8) | data[offset + 4]!;
    if (type !== CONTENT_HANDSHAKE) return invalid("TLS record before the end of the ClientHello is not a handshake record");
    if (major !== 3 || minor > 4) return invalid("not a TLS record version");
    if (length === 0 || length > MAX_RECORD_PAYLOAD) return invalid("TLS record length out of range");
    if (offset + RECORD_HEADER + length > MAX_CLIENT_HELLO_BUFFER) return invalid("ClientHello too large");
    if (data.length - offset - RECORD_HEADER < length) return { kind: "incomplete" };
    fragments.push(data.subarray(offset + RECORD_HEADER, offset + RECORD_HEADER + length));
    handshakeBytes += length;
    offset += RECORD_HEADER + length;
    if (expected < 0 && handshakeBytes >= 4) {
      const head = concat(fragments, 4);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return invalid("first handshake message is not a ClientHello");
      const bodyLength = (head[1]! << 16) | (head[2]! << 8) | head[3]!;
      if (bodyLength > MAX_CLIENT_HELLO_BYTES) return invalid("ClientHello too large");
      expected = 4 + bodyLength;
    }
  }
  // The hello must end with its last record: another handshake message cannot precede the server's answer.
  if (handshakeBytes !== expected) return invalid("data after the ClientHello in its record");
  const message = concat(fragments, handshakeBytes);
  const body = parseBody(message.subarray(4));
  return "reason" in body ? invalid(body.reason) : { kind: "hello", ...body, length: offset };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    if (at >= length) break;
    const take = part.subarray(0, length - at);
    out.set(take, at);
    at += take.length;
  }
  return out;
}

/** A bounds-checked cursor: every read either fits in the message or fails the parse. */
class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  u8(): number | null {
    if (this.remaining < 1) return null;
    return this.bytes[this.offset++]!;
  }
  u16(): number | null {
    if (this.remaining < 2) return null;
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }
  take(n: number): Uint8Array | null {
    if (n < 0 || this.remaining < n) return null;
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

function parseBody(body: Uint8Array): Omit<ClientHello, "length"> | { reason: string } {
  const r = new Reader(body);
  const major = r.u8();
  const minor = r.u8();
  if (major !== 3 || minor === null || minor > 4) return { reason: "ClientHello version is not TLS" };
  if (!r.take(32)) return { reason: "ClientHello truncated (random)" };
  const sessionIdLength = r.u8();
  if (sessionIdLength === null || sessionIdLength > 32 || !r.take(sessionIdLength)) return { reason: "ClientHello session id malformed" };
  const suitesLength = r.u16();
  if (suitesLength === null || suitesLength < 2 || suitesLength % 2 !== 0 || !r.take(suitesLength)) return { reason: "ClientHello cipher suites malformed" };
  const compressionLength = r.u8();
  if (compressionLength === null || compressionLength < 1 || !r.take(compressionLength)) return { reason: "ClientHello compression methods malformed" };
  // A hello may end here (no extensions at all, so no server name).
  if (r.remaining === 0) return { serverName: null, encryptedClientHello: false };
  const extensionsLength = r.u16();
  if (extensionsLength === null || extensionsLength !== r.remaining) return { reason: "ClientHello extensions length does not match" };
  const seen = new Set<number>();
  let serverName: string | null = null;
  let encryptedClientHello = false;
  while (r.remaining > 0) {
    const type = r.u16();
    const length = r.u16();
    const data = length === null ? null : r.take(length);
    if (type === null || data === null) return { reason: "ClientHello extension truncated" };
    // RFC 8446 §4.2: no duplicates. Servers differ on which copy they read, so none is trusted.
    if (seen.has(type)) return { reason: `ClientHello repeats extension ${type}` };
    seen.add(type);
    if (type === EXT_SERVER_NAME) {
      const name = parseServerName(data);
      if (typeof name !== "string") return name;
      serverName = name;
    } else if (type === EXT_ENCRYPTED_CLIENT_HELLO || type === EXT_ENCRYPTED_SERVER_NAME) {
      encryptedClientHello = true;
    }
  }
  return { serverName, encryptedClientHello };
}

/** RFC 6066 §3: ServerNameList of (name_type, opaque name); exactly one host_name, LDH ASCII. */
function parseServerName(data: Uint8Array): string | { reason: string } {
  const r = new Reader(data);
  const listLength = r.u16();
  if (listLength === null || listLength !== r.remaining || listLength === 0) return { reason: "server_name list malformed" };
  let name: string | null = null;
  while (r.remaining > 0) {
    const type = r.u8();
    const length = r.u16();
    const bytes = length === null ? null : r.take(length);
    if (type === null || bytes === null) return { reason: "server_name entry truncated" };
    if (type !== NAME_TYPE_HOST_NAME) return { reason: `server_name of unknown type ${type}` };
    if (name !== null) return { reason: "server_name lists more than one host name" };
    // Byte by byte: a non-ASCII byte must never be folded into an ASCII letter.
    let text = "";
    for (const b of bytes) {
      if (b > 0x7f) return { reason: "server_name is not ASCII" };
      text += String.fromCharCode(b);
    }
    text = text.toLowerCase();
    if (!LDH_NAME.test(text)) return { reason: "server_name is not a host name" };
    name = text;
  }
  return name ?? { reason: "server_name list malformed" };
}

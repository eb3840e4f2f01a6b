// ClientHellos for tests: hand-built ones (every field under control) and real ones from Node's
// own TLS client (TLS 1.3, key shares, ALPN, as a sandbox's npm would send).
import { Duplex } from "node:stream";
import tls from "node:tls";

export const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
export const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
export const bytes = (text: string) => [...Buffer.from(text, "latin1")];

export interface HelloOptions {
  /** Raw server_name extension data; default: one host_name entry for `name`. */
  serverNameData?: number[];
  name?: string | null;
  extensions?: [number, number[]][];
  noExtensions?: boolean;
  /** Split the handshake message into records of at most this many bytes. */
  recordSize?: number;
}

export function serverNameExtension(name: string): number[] {
  const host = bytes(name);
  return [...u16(host.length + 3), 0, ...u16(host.length), ...host];
}

/** A minimal, well-formed TLS 1.2-style ClientHello, in records. */
export function buildHello(opts: HelloOptions = {}): Buffer {
  const body = [3, 3, ...new Array<number>(32).fill(7), 0, ...u16(4), 0x13, 0x01, 0xc0, 0x2f, 1, 0];
  if (!opts.noExtensions) {
    const exts: [number, number[]][] = [];
    const name = opts.name === undefined ? "registry.npmjs.org" : opts.name;
    if (opts.serverNameData) exts.push([0, opts.serverNameData]);
    else if (name !== null) exts.push([0, serverNameExtension(name)]);
    exts.push([0x000a, [0, 2, 0, 0x1d]], ...(opts.extensions ?? []));
    const encoded = exts.flatMap(([type, data]) => [...u16(type), ...u16(data.length), ...data]);
    body.push(...u16(encoded.length), ...encoded);
  }
  const message = [1, ...u24(body.length), ...body];
  const size = opts.recordSize ?? 16384;
  const records: number[] = [];
  for (let i = 0; i < message.length; i += size) {
    const fragment = message.slice(i, i + size);
    records.push(22, 3, 1, ...u16(fragment.length), ...fragment);
  }
  return Buffer.from(records);
}

/** The first bytes Node's TLS client sends (a real ClientHello: TLS 1.3, key shares, ALPN...). */
export function nodeClientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  return new Promise((resolve) => {
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        resolve(chunk);
        cb();
      },
    });
    const socket = tls.connect({ ...options, socket: wire });
    socket.on("error", () => undefined);
    setTimeout(() => socket.destroy(), 100);
  });
}

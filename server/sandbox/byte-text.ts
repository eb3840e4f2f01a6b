import { isUtf8 } from "node:buffer";

// A program's output is bytes, not text: it may hold NUL, invalid UTF-8, or a character split
// across two writes. The engine handles output as JS strings (caps, notices, events), so bytes
// become strings here, losslessly, the way Python's "surrogateescape" does (PEP 383):
//
//   - valid UTF-8 decodes as usual (NUL included: it is a valid character);
//   - each byte that is not part of a valid sequence becomes the lone surrogate U+DC80..U+DCFF
//     (U+DC00 + the byte; such bytes are always >= 0x80). Valid UTF-8 never encodes a surrogate,
//     so the mapping is reversible: `escapedToBytes(decoded) equals the bytes`, always.
//
// Escaped strings stay inside the server: where output leaves it (the database, the API, the
// IDE) `escapedToBytes` gives the exact bytes and `displayText` the text a person can read
// (each escaped byte shown as U+FFFD).

const ESCAPED_BYTE = /[\uDC80-\uDCFF]/u;
const ESCAPED_RUN = /([\uDC80-\uDCFF]+)/u;
/** Lone surrogates (a pair is one code point under the u flag, so it never matches). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/** Streaming decoder, a drop-in for StringDecoder("utf8") whose output is exact (see above). */
export class ByteTextDecoder {
  private held: Buffer = Buffer.alloc(0);

  /** Decodes what is complete; a trailing character still arriving is held for the next write. */
  write(chunk: Buffer): string {
    const bytes = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const end = completeLength(bytes);
    this.held = Buffer.from(bytes.subarray(end));
    return decodeEscaped(bytes.subarray(0, end));
  }

  /** How many more bytes the held partial character needs to be whole (0: none held). */
  get owed(): number {
    if (!this.held.length) return 0;
    const lead = this.held[0]!;
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    return Math.max(0, length - this.held.length);
  }

  /** The stream ended (or was cut): a held partial character is escaped, byte by byte. */
  end(): string {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return decodeEscaped(rest);
  }
}

/** Decodes bytes with invalid ones escaped; whole input, no holding back. */
export function decodeEscaped(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString("utf8");
  const parts: string[] = [];
  let run = 0;
  for (let i = 0; i < buf.length;) {
    const n = validSequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) parts.push(buf.toString("utf8", run, i));
    parts.push(String.fromCharCode(0xdc00 + buf[i]!));
    i += 1;
    run = i;
  }
  if (run < buf.length) parts.push(buf.toString("utf8", run));
  return parts.join("");
}

/** The exact bytes an escaped string stands for. */
export function escapedToBytes(text: string): Buffer {
  if (!ESCAPED_BYTE.test(text)) return Buffer.from(text, "utf8");
  // split with a capture group alternates text, escaped run, text, ...
  return Buffer.concat(
    text.split(ESCAPED_RUN).map((part, i) => (i % 2 === 0 ? Buffer.from(part, "utf8") : Buffer.from(Array.from(part, (c) => c.charCodeAt(0) - 0xdc00)))),
  );
}

/** Whether the string stands for bytes that are valid UTF-8 (it holds no escaped byte). */
export function isExactText(text: string): boolean {
  return !ESCAPED_BYTE.test(text);
}

/** The text to show: each escaped byte (and any other lone surrogate) as U+FFFD. */
export function displayText(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/**
 * How a string that may hold escaped bytes leaves the server: `text` to show, and the exact
 * bytes in base64 only when `text` is not them (null: `text` is exact).
 */
export function outputForTransport(text: string): { text: string; base64: string | null } {
  return isExactText(text) ? { text, base64: null } : { text: displayText(text), base64: escapedToBytes(text).toString("base64") };
}

/** The length of the valid UTF-8 sequence starting at `i` (Unicode Table 3-7), or 0 when there is none. */
function validSequenceLength(b: Buffer, i: number): number {
  const b0 = b[i]!;
  if (b0 < 0x80) return 1;
  const n = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  for (let k = 1; k < n; k++) if (!inSecondRange(b0, k, b[i + k]!)) return 0;
  return n;
}

/** Whether `byte`, the k-th (1-based) after lead byte `b0`, is allowed there. */
function inSecondRange(b0: number, k: number, byte: number): boolean {
  if (k === 1) {
    if (b0 === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
    if (b0 === 0xed) return byte >= 0x80 && byte <= 0x9f;
    if (b0 === 0xf0) return byte >= 0x90 && byte <= 0xbf;
    if (b0 === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  }
  return byte >= 0x80 && byte <= 0xbf;
}

/**
 * How much of `bytes` can be decoded now: all of it, less a trailing prefix of a valid sequence
 * (a character whose last bytes arrive in the next chunk).
 */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const start = bytes.length - back;
    const b0 = bytes[start]!;
    if (b0 < 0x80) return bytes.length;
    if (b0 < 0xc0) continue; // a continuation byte: look further back for its lead
    const n = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
    if (n <= back) return bytes.length; // complete (or not a lead byte at all)
    for (let k = 1; k < back; k++) if (!inSecondRange(b0, k, bytes[start + k]!)) return bytes.length;
    return start;
  }
  return bytes.length;
}

import { ByteTextDecoder, escapedToBytes, isExactText } from "./byte-text";

// Head-and-tail capping of one output stream (stdout or stderr), as CI log viewers do: a program
// that floods its output and then crashes keeps both its first lines and the crash. Pure: bytes
// in, text out; whoever streams output (the executor, a process runner) decides where it goes.
// The text is byte-exact (byte-text.ts): NUL and invalid UTF-8 survive as escaped bytes.
//
// What is emitted is also what is kept: the concatenation of every text this returns is the
// stream's stored output, so a live view and a replay from the database read the same.
//
//   head (live) ─ cut notice ─ [early part] ─ marker "N bytes (L lines) cut" ─ tail (the last bytes)
//
// - The head streams live until `headBytes`; near its end only whole lines, so it ends at a line
//   end (a line longer than 4 KiB is cut inside, never inside a character).
// - Past it, bytes go to a ring holding the last `tailBytes`; what falls out of the ring is cut.
//   The notice is emitted when the first byte is cut; the tail at `end()`.
// - `release()` (the other stream wrote) emits what the ring holds now, so that in a combined view
//   a traceback on stderr follows the last lines of stdout before it, not precedes them. Early
//   releases are limited to `tailBytes` in all, so alternating writes cannot bypass the cap; the
//   final tail always keeps its full `tailBytes`. Bound: head + 2 × tail, plus the marker lines.

/**
 * What the cap did to one stream, for machines: a program can print a line that looks like a
 * marker, so the marker text alone is not proof; these numbers and ranges are. Offsets and lengths
 * are in the stored stream's exact bytes (the `*_base64` bytes, or the UTF-8 of the text when that
 * is exact). Removing the `inserted` ranges leaves exactly the program's kept bytes: its first
 * `keptHeadBytes`, then `keptTailBytes` from nearer its end, with `droppedBytes` between them.
 */
// A type, not an interface: it is stored as JSON as it is (a type alias fits Prisma's JSON input).
export type StreamTruncation = {
  keptHeadBytes: number;
  keptTailBytes: number;
  droppedBytes: number;
  /** Line ends among the dropped bytes. */
  droppedLines: number;
  /** The cap's own lines (the notice and the "cut" markers), in order. */
  inserted: { offset: number; length: number }[];
};

export interface StreamCapLimits {
  headBytes: number;
  tailBytes: number;
}

/** Splits a per-stream budget: half for the head, a quarter for early releases, a quarter for the tail. */
export function splitStreamBudget(maxBytes: number): StreamCapLimits {
  const headBytes = Math.floor(maxBytes / 2);
  return { headBytes, tailBytes: Math.floor((maxBytes - headBytes) / 2) };
}

/** How far back from a cut (or forward from a tail's start) a line end is looked for. */
const LINE_WINDOW = 4 * 1024;
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export class StreamCap {
  private readonly decoder = new ByteTextDecoder();
  private readonly ring: Buffer[] = [];
  private ringBytes = 0;
  private headLeft: number;
  /** How near the head's end only whole lines are emitted (a small head, in tests, gets less). */
  private readonly window: number;
  /** Near the head's end, a line not ended yet (see writeHead). */
  private partial: Buffer = EMPTY;
  private earlyLeft: number;
  /** Bytes and lines cut since the last marker. */
  private cutBytes = 0;
  private cutLines = 0;
  private totalCutBytes = 0;
  private totalCutLines = 0;
  /** Exact bytes emitted so far, and how many of them are the program's before the first insertion. */
  private emittedBytes = 0;
  private keptHeadBytes = -1;
  private readonly inserted: { offset: number; length: number }[] = [];
  private noticed = false;
  /** Whether what was emitted ends a line: markers start on a fresh line. */
  private atLineStart = true;
  private ended = false;
  private readonly parts: string[] = [];

  constructor(
    private readonly name: "stdout" | "stderr",
    private readonly limits: StreamCapLimits,
  ) {
    this.headLeft = limits.headBytes;
    this.window = Math.min(LINE_WINDOW, Math.floor(limits.headBytes / 8));
    this.earlyLeft = limits.tailBytes;
  }

  /** True once any byte was cut. */
  get truncated(): boolean {
    return this.totalCutBytes > 0;
  }

  /** What was cut and where the cap's lines are (null when nothing was cut). */
  get truncation(): StreamTruncation | null {
    if (!this.truncated) return null;
    const insertedBytes = this.inserted.reduce((n, r) => n + r.length, 0);
    const head = this.keptHeadBytes === -1 ? this.emittedBytes - insertedBytes : this.keptHeadBytes;
    return {
      keptHeadBytes: head,
      keptTailBytes: this.emittedBytes - insertedBytes - head,
      droppedBytes: this.totalCutBytes,
      droppedLines: this.totalCutLines,
      inserted: this.inserted.map((r) => ({ ...r })),
    };
  }

  /** Everything emitted so far: the stream's stored output. */
  get text(): string {
    return this.parts.join("");
  }

  /** Takes a chunk; returns the text to show now ("" when nothing). */
  write(chunk: Buffer): string {
    if (this.ended || chunk.length === 0) return "";
    return this.headLeft > 0 ? this.writeHead(chunk) : this.hold(chunk);
  }

  private writeHead(chunk: Buffer): string {
    // Far from the head's end: streams as it comes.
    if (this.partial.length === 0 && chunk.length + this.window <= this.headLeft) {
      this.headLeft -= chunk.length;
      return this.emit(this.decoder.write(chunk));
    }
    // Near it: whole lines only (a program may write a line's text and its end separately), so
    // the head ends at a line end.
    let bytes = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = EMPTY;
    let out = "";
    const newline = bytes.lastIndexOf(NEWLINE, this.headLeft - 1);
    if (newline !== -1) {
      out = this.emit(this.decoder.write(bytes.subarray(0, newline + 1)));
      this.headLeft -= newline + 1;
      bytes = bytes.subarray(newline + 1);
    }
    if (bytes.length < this.headLeft) {
      // A line not ended yet that may still fit: held until it ends (or the stream ends).
      this.partial = Buffer.from(bytes);
      return out;
    }
    // The decoder holds a character's start and its end has not all arrived (a program writing a
    // byte at a time): wait for it rather than cut the character in two.
    const owed = this.decoder.owed;
    if (owed > bytes.length && leadingContinuations(bytes) === bytes.length) {
      this.partial = Buffer.from(bytes);
      return out;
    }
    // The line does not fit: the head ends before it, or inside it when it is a long line begun
    // earlier (never inside a character).
    // The decoder may hold a character's start from an earlier write: its end is never cut off
    // (the head then runs up to 3 bytes over).
    const cut = Math.max(this.atLineStart && this.headLeft <= this.window ? 0 : charBoundary(bytes, this.headLeft), leadingContinuations(bytes));
    this.headLeft = 0;
    if (cut > 0) out += this.emit(this.decoder.write(bytes.subarray(0, cut)));
    return out + this.hold(bytes.subarray(cut));
  }

  /** A line held back near the head's end, emitted as it is (it fits): the stream ended, or the other one wrote. */
  private flushPartial(): string {
    if (this.partial.length === 0) return "";
    const bytes = this.partial;
    this.partial = EMPTY;
    this.headLeft -= bytes.length;
    return this.emit(this.decoder.write(bytes));
  }

  /** The other stream wrote: emits what is held (within the early-release budget), so order is kept. */
  release(): string {
    if (this.ended) return "";
    if (this.partial.length) return this.flushPartial();
    if (this.ringBytes === 0 || this.earlyLeft === 0) return "";
    if (this.ringBytes > this.earlyLeft) this.dropFront(this.ringBytes - this.earlyLeft);
    this.earlyLeft -= this.ringBytes;
    return this.releaseRing(false);
  }

  /** The stream ended: emits what is held (the tail, after its marker) and what the decoder holds back. */
  end(): string {
    if (this.ended) return "";
    this.ended = true;
    return this.flushPartial() + this.releaseRing(true);
  }

  private hold(chunk: Buffer): string {
    this.ring.push(chunk);
    this.ringBytes += chunk.length;
    if (this.ringBytes <= this.limits.tailBytes) return "";
    this.dropFront(this.ringBytes - this.limits.tailBytes);
    if (this.noticed) return "";
    this.noticed = true;
    const notice = `[pantheon: ${this.name} passed ${formatBytes(this.limits.headBytes)}: cutting its middle; its last ${formatBytes(this.limits.tailBytes)} follow]\n`;
    return this.emit(this.flushDecoder()) + this.emitInserted(this.fresh(notice));
  }

  private releaseRing(final: boolean): string {
    let bytes = Buffer.concat(this.ring, this.ringBytes);
    this.ring.length = 0;
    this.ringBytes = 0;
    let out = "";
    if (this.cutBytes > 0) {
      // The held bytes start wherever the cut fell: begin at the next line (or character).
      const start = tailStart(bytes);
      this.count(bytes.subarray(0, start));
      bytes = bytes.subarray(start);
      out += this.emit(this.flushDecoder());
      const lines = this.cutLines === 1 ? "1 line" : `${this.cutLines.toLocaleString("en-US")} lines`;
      out += this.emitInserted(this.fresh(`[pantheon: ${formatBytes(this.cutBytes)} (${lines}) of ${this.name} cut]\n`));
      this.cutBytes = 0;
      this.cutLines = 0;
    }
    return out + this.emit(this.decoder.write(bytes) + (final ? this.decoder.end() : ""));
  }

  private dropFront(n: number): void {
    let left = n;
    while (left > 0) {
      const first = this.ring[0]!;
      if (first.length <= left) {
        this.ring.shift();
        this.count(first);
        left -= first.length;
      } else {
        this.count(first.subarray(0, left));
        this.ring[0] = first.subarray(left);
        left = 0;
      }
    }
    this.ringBytes -= n;
  }

  private count(dropped: Buffer): void {
    this.cutBytes += dropped.length;
    this.totalCutBytes += dropped.length;
    for (let i = dropped.indexOf(NEWLINE); i !== -1; i = dropped.indexOf(NEWLINE, i + 1)) {
      this.cutLines++;
      this.totalCutLines++;
    }
  }

  /** A partial character before a cut is kept as its escaped bytes: its end was cut. */
  private flushDecoder(): string {
    return this.decoder.end();
  }

  private fresh(line: string): string {
    return this.atLineStart ? line : `\n${line}`;
  }

  /** Emits the program's own (escaped) bytes. */
  private emit(text: string): string {
    if (text) {
      this.parts.push(text);
      this.atLineStart = text.endsWith("\n");
      this.emittedBytes += exactByteLength(text);
    }
    return text;
  }

  /** Emits a line of the cap's own (plain text, never escaped), recording where it sits. */
  private emitInserted(text: string): string {
    if (this.keptHeadBytes === -1) this.keptHeadBytes = this.emittedBytes;
    const length = Buffer.byteLength(text);
    this.inserted.push({ offset: this.emittedBytes, length });
    this.parts.push(text);
    this.atLineStart = true;
    this.emittedBytes += length;
    return text;
  }
}

/**
 * The last character boundary at or before `at` (a multi-byte character is never split): the
 * character holding byte `at - 1` is kept only when it is whole before `at`. (Looking only at
 * `bytes[at]` missed a character whose end had not arrived yet, when `at` is the buffer's end.)
 */
export function charBoundary(bytes: Buffer, at: number): number {
  let lead = at - 1;
  while (lead > 0 && lead > at - 4 && isContinuation(bytes[lead])) lead--;
  return lead >= 0 && sequenceLength(bytes[lead]) > at - lead ? lead : at;
}

/** How many bytes a UTF-8 sequence starting with `byte` takes (1 for ASCII and for bytes that start none). */
function sequenceLength(byte: number | undefined): number {
  if (byte === undefined) return 1;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  return 1;
}

/** Continuation bytes at the front: the end of a character whose start the decoder already holds. */
function leadingContinuations(bytes: Buffer): number {
  let n = 0;
  while (n < bytes.length && n < 3 && isContinuation(bytes[n])) n++;
  return n;
}

/** Where held bytes whose front was cut should start: after the first line end when one is near, else at a character. */
export function tailStart(bytes: Buffer): number {
  const newline = bytes.indexOf(NEWLINE);
  if (newline !== -1 && newline < LINE_WINDOW) return newline + 1;
  let start = 0;
  while (start < bytes.length && start < 4 && isContinuation(bytes[start])) start++;
  return start;
}

/** The length of the bytes an escaped string stands for. */
function exactByteLength(text: string): number {
  return isExactText(text) ? Buffer.byteLength(text) : escapedToBytes(text).length;
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${round(n / 1024)} KiB`;
  return `${round(n / (1024 * 1024))} MiB`;
}

function round(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

import { ByteTextDecoder } from "./byte-text";

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
    // The line does not fit: the head ends before it, or inside it when it is a long line begun
    // earlier (never inside a character).
    const cut = this.atLineStart && this.headLeft <= this.window ? 0 : charBoundary(bytes, this.headLeft);
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
    return this.emit(this.flushDecoder() + this.fresh(notice));
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
      out += this.flushDecoder();
      const lines = this.cutLines === 1 ? "1 line" : `${this.cutLines.toLocaleString("en-US")} lines`;
      out += this.fresh(`[pantheon: ${formatBytes(this.cutBytes)} (${lines}) of ${this.name} cut]\n`);
      this.cutBytes = 0;
      this.cutLines = 0;
    }
    out += this.decoder.write(bytes);
    if (final) out += this.decoder.end();
    return this.emit(out);
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
    for (let i = dropped.indexOf(NEWLINE); i !== -1; i = dropped.indexOf(NEWLINE, i + 1)) this.cutLines++;
  }

  /** A partial character before a cut is kept as its escaped bytes: its end was cut. */
  private flushDecoder(): string {
    return this.decoder.end();
  }

  private fresh(line: string): string {
    return this.atLineStart ? line : `\n${line}`;
  }

  private emit(text: string): string {
    if (text) {
      this.parts.push(text);
      this.atLineStart = text.endsWith("\n");
    }
    return text;
  }
}

/** The last character boundary at or before `at` (a multi-byte character is never split). */
export function charBoundary(bytes: Buffer, at: number): number {
  let cut = at;
  // Back off continuation bytes (10xxxxxx) to the character's first byte.
  while (cut > 0 && cut > at - 4 && isContinuation(bytes[cut])) cut--;
  return cut;
}

/** Where held bytes whose front was cut should start: after the first line end when one is near, else at a character. */
export function tailStart(bytes: Buffer): number {
  const newline = bytes.indexOf(NEWLINE);
  if (newline !== -1 && newline < LINE_WINDOW) return newline + 1;
  let start = 0;
  while (start < bytes.length && start < 4 && isContinuation(bytes[start])) start++;
  return start;
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

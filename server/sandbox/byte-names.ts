import { checkWorkspacePath, MAX_PATH_LENGTH, type PathCheck } from "./workspace-path";

// A Linux file name is bytes; ours are text in most places (the store's key, the engine's
// manifest, the API, the IDE). A name that is valid UTF-8 is its text, as it always was. A name
// that is not is written as its *escaped path*: the UTF-8 parts as themselves and each byte that
// is not part of a valid sequence as `\xHH` (two lowercase hex digits), e.g. 0xFF 0xFE ".bin" →
// `\xff\xfe.bin`, "caf" 0xE9 "/x.txt" → `caf\xe9/x.txt`. This is a bijection, and the escaped
// paths never collide with a text path, because a text path may not hold a backslash
// (checkWorkspacePath): any path with a `\` is an escaped one, and only its canonical form is
// accepted (exactly the invalid bytes escaped, lowercase), so one file has one path. The escaped
// path is plain printable text: safe to log, show, put in JSON or a URL. Only where a name
// reaches the container (the agent's byte paths) is it turned back into the bytes.
// The same rules hold for both kinds: no '..', not absolute, no control characters or backslash
// (as bytes), no empty segments, and the escaped path fits the store's VARCHAR(500).

/** True when `path` is the escaped form of a name that is not UTF-8 (it may still be invalid). */
export function isEscapedPath(path: string): boolean {
  return path.includes("\\");
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The stored path for a name the container reported as bytes, or why it is refused. */
export function pathOfName(bytes: Uint8Array): PathCheck {
  let text: string | null = null;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    // not UTF-8: escaped below
  }
  if (text !== null) return checkWorkspacePath(text);
  return checkEscaped(escapeNonUtf8(bytes), bytes);
}

/** The name's bytes for a stored path (text or escaped); null when the path is not acceptable. */
export function nameOfPath(path: string): Buffer | null {
  if (!isEscapedPath(path)) return checkWorkspacePath(path).ok ? Buffer.from(path, "utf8") : null;
  const bytes = unescape(path);
  return bytes && checkEscaped(path, bytes).ok ? bytes : null;
}

/** checkWorkspacePath, widened to the canonical escaped paths of names that are not UTF-8. */
export function checkStoredPath(path: string): PathCheck {
  if (typeof path !== "string" || !isEscapedPath(path)) return checkWorkspacePath(path);
  const bytes = unescape(path);
  if (!bytes) return { ok: false, reason: "backslash in path (only lowercase \\xHH escapes of bytes that are not valid UTF-8)" };
  return checkEscaped(path, bytes);
}

function checkEscaped(escaped: string, bytes: Uint8Array): PathCheck {
  // A backslash byte would be escaped as `\\`: refused as in a text name.
  if (escapeNonUtf8(bytes) !== escaped || escaped.includes("\\\\")) return { ok: false, reason: "not the canonical escaped form of a name" };
  if (escaped.length > MAX_PATH_LENGTH) return { ok: false, reason: `escaped path longer than ${MAX_PATH_LENGTH} characters` };
  // The text rules on the name with each invalid byte as one harmless character: '..', '/', control
  // characters and empty segments are all valid UTF-8, so they are seen here as in a text name.
  const check = checkWorkspacePath(escaped.replace(/\\x[0-9a-f]{2}/g, "_"));
  return check.ok ? { ok: true, path: escaped } : check;
}

/** `\xHH` → the byte, everything else as UTF-8; null on any other backslash or a lone surrogate. */
function unescape(path: string): Buffer | null {
  if (/\p{Cs}/u.test(path)) return null; // a lone surrogate has no UTF-8 form
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of path.matchAll(/\\(x([0-9a-f]{2}))?/g)) {
    if (!m[2]) return null;
    parts.push(Buffer.from(path.slice(last, m.index), "utf8"), Buffer.from([Number.parseInt(m[2], 16)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(path.slice(last), "utf8"));
  return Buffer.concat(parts);
}

/** Length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), 0 if invalid. */
function utf8SequenceAt(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** A name as text for reports: valid UTF-8 as is, each other byte as `\xHH`, a backslash doubled (unambiguous). */
export function escapeNonUtf8(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceAt(bytes, i);
    if (len === 0) {
      out += `\\x${(bytes[i] ?? 0).toString(16).padStart(2, "0")}`;
      i++;
      continue;
    }
    const text = Buffer.from(bytes.subarray(i, i + len)).toString("utf8");
    out += text === "\\" ? "\\\\" : text;
    i += len;
  }
  return out;
}

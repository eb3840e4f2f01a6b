// Sandbox output is attacker-controlled. Before any of it reaches a log line it is made inert:
// ANSI sequences could rewrite an admin's terminal, newlines and carriage returns could forge
// extra log lines for line-based tools, bidi overrides could make text read differently than it
// is (Trojan Source). Secrets that user code prints (its own, or ours leaking) are masked.

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and the remaining two-byte ESC sequences.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
// C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const SECRETS: [RegExp, string][] = [
  [/psk_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}/g, "psk_[redacted]"],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1[redacted]"],
  [/\b((?:password|passwd|pwd|secret|token|api[_-]?key)\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, "$1[redacted]"],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, "$1[redacted]@"], // credentials in URLs (postgres://user:pass@host)
];

export function redactSecrets(text: string): string {
  return SECRETS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}

/** Inert, single-line, bounded text safe to put in a log field. */
export function escapeForLog(text: string, maxChars = 2_000): string {
  const escaped = redactSecrets(text.replace(ANSI, "")).replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (escaped.length <= maxChars) return escaped;
  return `${escaped.slice(0, maxChars)}…[+${escaped.length - maxChars} chars]`;
}

/**
 * The same for a field of a JSON log line, where the serializer already escapes line breaks (a
 * line cannot be forged): newlines and tabs stay as they are, so a message reads as written.
 */
export function escapeForJsonLog(text: string, maxChars = 2_000): string {
  const capped = text.length > maxChars ? `${text.slice(0, maxChars)}…[+${text.length - maxChars} chars]` : text;
  return capped
    .split("\n")
    .map((line) => escapeForLog(line.replace(/\t/g, "    "), Number.POSITIVE_INFINITY))
    .join("\n");
}

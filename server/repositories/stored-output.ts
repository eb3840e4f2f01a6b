import { decodeEscaped, displayText, escapedToBytes, isExactText, outputForTransport } from "@/server/sandbox/byte-text";

// How a program's output (the engine's byte-exact text, server/sandbox/byte-text.ts) is kept in
// a row: a text column that people and queries read, and a bytea column beside it with the exact
// bytes, written only when the text cannot be them. PostgreSQL text refuses NUL (22021) and holds
// only valid UTF-8, so output with NUL or invalid UTF-8 keeps its bytes; everything else (almost
// all output) costs nothing extra. Rows written before the bytes column read as they always did.

/** The columns to write for output: `text` (never NUL, always valid), `bytes` (null: `text` is exact). */
export function storedOutput(escaped: string): { text: string; bytes: Uint8Array<ArrayBuffer> | null } {
  if (isExactText(escaped) && !escaped.includes("\u0000")) return { text: escaped, bytes: null };
  return { text: displayText(escaped).replaceAll("\u0000", "\uFFFD"), bytes: new Uint8Array(escapedToBytes(escaped)) };
}

/**
 * What is shown of stored output: `text` (the bytes as UTF-8, NUL kept, invalid bytes as U+FFFD)
 * and `base64` (the exact bytes; null when `text` is them).
 */
export function readStoredOutput(text: string, bytes: Uint8Array | null): { text: string; base64: string | null };
export function readStoredOutput(text: string | null, bytes: Uint8Array | null): { text: string | null; base64: string | null };
export function readStoredOutput(text: string | null, bytes: Uint8Array | null): { text: string | null; base64: string | null } {
  if (!bytes) return { text, base64: null };
  return outputForTransport(decodeEscaped(bytes));
}

import { base64Bytes } from "./file-view";

// Output is whatever bytes a program wrote. The API gives it as text (invalid UTF-8 shown as
// U+FFFD, NUL kept) plus, when the text is not the bytes, the exact bytes in base64. The panel
// shows the text safely and offers the bytes for download.

/** NUL and other C0 controls a terminal would act on, except tab, newline, CR and ESC (colours). */
const UNSHOWN = /[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f]/g;

/** The text to put on screen: NUL (and controls a page cannot show) as U+FFFD, like invalid bytes. */
export function shownOutput(text: string): string {
  return text.replace(UNSHOWN, "\uFFFD");
}

/** The exact bytes of output that is binary (invalid UTF-8 or NUL), or null for plain text. */
export function binaryOutputBytes(text: string | null, base64: string | null): Uint8Array<ArrayBuffer> | null {
  if (base64) return base64Bytes(base64);
  if (text?.includes("\u0000")) return new TextEncoder().encode(text);
  return null;
}

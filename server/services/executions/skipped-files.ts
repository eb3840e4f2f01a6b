import type { ExecutionFileChanges } from "@/server/sandbox/engine";

/** A file a program left in /workspace that was not saved, and why (stored with the execution). */
export interface SkippedFile {
  /** As the sandbox named it; bytes that are not UTF-8 are written `\xHH`. */
  path: string;
  reason: string;
  detail: string | null;
}

export function skippedFilesOf(files: ExecutionFileChanges | null): SkippedFile[] {
  return (files?.refused ?? []).map((f) => ({ path: f.path, reason: f.reason, detail: f.detail ?? null }));
}

const NOTICE_LIMIT = 20;

/**
 * The lines appended to the execution's stderr (what the IDE terminal and every output reader
 * shows), so a refused file is never lost without a word. Paths are JSON-quoted: a newline or
 * an escape sequence in a name cannot forge output lines or drive the terminal.
 */
export function skippedFilesNotice(skipped: readonly SkippedFile[]): string {
  if (!skipped.length) return "";
  const lines = skipped.slice(0, NOTICE_LIMIT).map((f) => `pantheon: not saved: ${JSON.stringify(f.path)} (${f.reason}${f.detail ? `: ${f.detail}` : ""})\n`);
  if (skipped.length > NOTICE_LIMIT) lines.push(`pantheon: ${skipped.length - NOTICE_LIMIT} more files not saved\n`);
  return lines.join("");
}

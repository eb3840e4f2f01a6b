import { createHash } from "node:crypto";
import type { ContentEncoding } from "./file-content";

// A file's version is the SHA-256 of its bytes, in lowercase hex: anyone can compute it
// (`sha256sum`), equal contents have equal versions whoever wrote them, and a save that writes what
// is already stored changes nothing. A counter would move on every write, so a sync writing back
// the same bytes would look like someone else's change.

export const VERSION_PATTERN = /^[0-9a-f]{64}$/;

export function contentVersion(content: string, encoding: ContentEncoding): string {
  return createHash("sha256")
    .update(Buffer.from(content, encoding === "base64" ? "base64" : "utf8"))
    .digest("hex");
}

/**
 * What a write was based on:
 * - a version: the stored file must still have it (or already hold exactly the new bytes);
 * - null: the file must not exist yet (create);
 * - undefined: create or overwrite, whatever is stored (only where the API documents it).
 */
export type BaseVersion = string | null | undefined;

/** One refused write: what the writer based it on, and what is stored now (null: no such file). */
export interface FileConflict {
  path: string;
  baseVersion: string | null;
  currentVersion: string | null;
}

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { StoredFileState } from "@/server/repositories/checkpoint-repository";
import { contentVersion } from "@/server/services/files/file-version";

/** A file's exact state: its bytes (as stored: UTF-8 text or base64) and execute bit. */
export interface FileSnapshot {
  path: string;
  content: string;
  encoding: "utf8" | "base64";
  executable: boolean;
}

export function bytesOf(content: string, encoding: string): Buffer {
  return Buffer.from(content, encoding === "base64" ? "base64" : "utf8");
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The hash is the file's version (sandbox_files.version): SHA-256 of its bytes. */
export function stateOf(file: FileSnapshot): StoredFileState {
  return { hash: contentVersion(file.content, file.encoding), encoding: file.encoding, executable: file.executable };
}

export function sameState(a: StoredFileState | null, b: StoredFileState | null): boolean {
  if (!a || !b) return a === b;
  return a.hash === b.hash && a.executable === b.executable && a.encoding === b.encoding;
}

/** gzip: text history compresses several-fold, and content-addressing already shares repeats. */
export function compressBlob(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(gzipSync(bytes, { level: 6 }));
}

export function snapshotOf(record: { filePath: string; content: string | null; encoding: string; isExecutable: boolean }): FileSnapshot {
  return { path: record.filePath, content: record.content ?? "", encoding: record.encoding === "base64" ? "base64" : "utf8", executable: record.isExecutable };
}

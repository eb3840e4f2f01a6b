import { createHash } from "node:crypto";
import { checkStoredPath, escapeNonUtf8 } from "./byte-names";
import { isIgnoredPath } from "./workspace-path";
import type { RefusedFile } from "./workspace-files";

export { escapeNonUtf8 };

// A manifest is what `find -printf` reports about /workspace, taken inside the container
// (the host never stats sandbox-controlled paths). Comparing two manifests tells which
// files an execution created, changed or deleted, so only those are pulled back.

export interface ManifestEntry {
  /** find's %y: f file, d directory, l symlink, p fifo, s socket, b/c device. */
  type: string;
  size: number;
  /** find's %T@ as printed (seconds.nanoseconds); compared as a string. */
  mtime: string;
  /** find's %n: link count, so hard links are noticed. */
  links: number;
  /**
   * Set when the name is not valid UTF-8: the manifest key is then the name with each invalid
   * byte written `\xHH` (and `\` as `\\`), for reports only. Such a file is never asked of tar
   * (a decoded name would name another file, or none) and never stored: it is refused, visibly.
   */
  nonUtf8Name?: true;
  /**
   * Entries the engine wrote through the agent (mtime "engine"): the SHA-256 and execute bit of
   * what it wrote. A listing cannot compare its mtimes with them, so it reads such a file again,
   * and `unchangedSinceWritten` keeps that from reporting it as a change.
   */
  written?: { sha256: string; executable: boolean };
}

/** What an entry adds to the project's size: a regular file with a UTF-8 name, within the file limit, not ignored. */
export function storableBytes(path: string, entry: ManifestEntry, limits: Pick<DiffLimits, "maxFileSize" | "ignore">): number {
  return entry.type !== "f" || entry.nonUtf8Name || entry.size > limits.maxFileSize || isIgnoredPath(path, limits.ignore) ? 0 : entry.size;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((name, i) => name === b[i]));
}

/**
 * The workspace as last synced, by path. It keeps the bytes its entries add to the project's size
 * as entries come and go (an entry is replaced, never resized, when its file changes): a run's
 * save checks the project-size limit without summing a 10,000-file manifest per run.
 */
export class Manifest extends Map<string, ManifestEntry> {
  /** The sum for one set of limits, from the first ask on; undefined until asked. */
  private tally?: { maxFileSize: number; ignore: readonly string[]; bytes: number };

  override set(path: string, entry: ManifestEntry): this {
    // Map's constructor calls set() before the field exists: no tally is kept yet then.
    const tally = this.tally;
    if (tally) {
      const was = this.get(path);
      if (was) tally.bytes -= storableBytes(path, was, tally);
      tally.bytes += storableBytes(path, entry, tally);
    }
    return super.set(path, entry);
  }

  override delete(path: string): boolean {
    const was = this.get(path);
    if (was && this.tally) this.tally.bytes -= storableBytes(path, was, this.tally);
    return super.delete(path);
  }

  override clear(): void {
    this.tally = undefined;
    super.clear();
  }

  /** The bytes of the storable files (storableBytes): summed once per set of limits, then kept. */
  storableBytes(limits: Pick<DiffLimits, "maxFileSize" | "ignore">): number {
    const tally = this.tally;
    if (tally && tally.maxFileSize === limits.maxFileSize && sameNames(tally.ignore, limits.ignore)) return tally.bytes;
    let bytes = 0;
    for (const [path, entry] of this) bytes += storableBytes(path, entry, limits);
    this.tally = { maxFileSize: limits.maxFileSize, ignore: limits.ignore, bytes };
    return bytes;
  }
}

/** Why a name that is not UTF-8 is not saved, wherever it was found (listing or agent). */
export const NON_UTF8_NAME_DETAIL = "the file name is not valid UTF-8 (invalid bytes shown as \\xHH); rename it to save it";

type ReadBack = { content: string; encoding: "utf8" | "base64"; executable?: boolean };

/** What `written` records of a file read back as a WorkspaceFile. */
export function writtenFingerprint(file: ReadBack): { sha256: string; executable: boolean } {
  return { sha256: createHash("sha256").update(Buffer.from(file.content, file.encoding)).digest("hex"), executable: Boolean(file.executable) };
}

/** Whether `file`, read back from the container, is byte for byte what the engine last knew there. */
export function unchangedSinceWritten(before: ManifestEntry | undefined, file: ReadBack): boolean {
  if (!before?.written) return false;
  const now = writtenFingerprint(file);
  return now.sha256 === before.written.sha256 && now.executable === before.written.executable;
}

/** Arguments for `find`, run with cwd /workspace; ignored names are pruned so node_modules is never walked. */
export function manifestFindArgs(ignore: readonly string[]): string[] {
  const prune = ignore.length ? ["(", ...ignore.flatMap((name, i) => (i === 0 ? ["-name", name] : ["-o", "-name", name])), ")", "-prune", "-o"] : [];
  return ["find", ".", "-mindepth", "1", ...prune, "-printf", "%y\\t%s\\t%T@\\t%n\\t%P\\0"];
}

/**
 * Parses find's records. Give the raw bytes (a Buffer) when names may not be UTF-8: each name is
 * decoded strictly, and one that fails is kept under an escaped key with `nonUtf8Name` set. A
 * string is taken as already decoded (tests, callers that hold text).
 */
export function parseManifest(output: string | Buffer): Manifest {
  const manifest = new Manifest();
  const bytes = typeof output === "string" ? Buffer.from(output, "utf8") : output;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    const record = bytes.subarray(start, end);
    start = end + 1;
    // The path is last and may itself contain tabs: split only the first four fields.
    const parts: string[] = [];
    let rest = 0;
    for (let i = 0; i < 4; i++) {
      const tab = record.indexOf(0x09, rest);
      if (tab < 0) break;
      parts.push(record.subarray(rest, tab).toString("latin1"));
      rest = tab + 1;
    }
    const [type, size, mtime, links] = parts;
    if (type === undefined || size === undefined || mtime === undefined || links === undefined) continue;
    const entry: ManifestEntry = { type, size: Number(size), mtime, links: Number(links) };
    const name = record.subarray(rest);
    const decoded = decodeUtf8(name);
    if (decoded !== null) manifest.set(decoded, entry);
    else manifest.set(escapeNonUtf8(name), { ...entry, nonUtf8Name: true });
  }
  return manifest;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export interface ManifestDiff {
  /** Regular files to pull back (new or changed, valid, within limits). */
  changed: string[];
  deleted: string[];
  refused: RefusedFile[];
  /** Bytes of regular, storable files in the after-manifest. */
  projectBytes: number;
}

export interface DiffLimits {
  maxFileSize: number;
  maxProjectSize: number;
  ignore: readonly string[];
}

function isModified(before: ManifestEntry | undefined, after: ManifestEntry): boolean {
  return !before || before.type !== after.type || before.size !== after.size || before.mtime !== after.mtime || before.links !== after.links;
}

function refusalFor(entry: ManifestEntry): RefusedFile["reason"] | null {
  if (entry.type === "l") return "symlink";
  if (entry.type !== "f") return "special-file";
  // A second name for the same inode could point outside what we track; refuse rather than guess.
  if (entry.links > 1) return "hardlink";
  return null;
}

export function diffManifests(before: ReadonlyMap<string, ManifestEntry>, after: ReadonlyMap<string, ManifestEntry>, limits: DiffLimits): ManifestDiff {
  const changed: string[] = [];
  const deleted: string[] = [];
  const refused: RefusedFile[] = [];
  let projectBytes = 0;

  for (const [path, entry] of after) {
    if (entry.type === "d") continue;
    if (isIgnoredPath(path, limits.ignore)) continue;
    const modified = isModified(before.get(path), entry);
    if (entry.nonUtf8Name) {
      if (modified) refused.push({ path, reason: "non-utf8-name", detail: NON_UTF8_NAME_DETAIL });
      continue;
    }
    // Agent listings key a name that is not UTF-8 by its escaped path (byte-names.ts): stored exactly.
    const pathCheck = checkStoredPath(path);
    if (!pathCheck.ok) {
      if (modified) refused.push({ path, reason: "invalid-path", detail: pathCheck.reason });
      continue;
    }
    const refusal = refusalFor(entry);
    if (refusal) {
      if (modified) refused.push({ path, reason: refusal });
      continue;
    }
    if (entry.size > limits.maxFileSize) {
      if (modified) refused.push({ path, reason: "too-large", detail: `${entry.size} bytes > ${limits.maxFileSize}` });
      continue;
    }
    projectBytes += entry.size;
    if (modified) changed.push(path);
  }

  for (const [path, entry] of before) {
    if (entry.type !== "f" || entry.nonUtf8Name || isIgnoredPath(path, limits.ignore)) continue;
    const now = after.get(path);
    if (!now || now.type !== "f") deleted.push(path);
  }

  if (projectBytes > limits.maxProjectSize) {
    // Keep the store within the limit: changes are refused, deletions still apply.
    for (const path of changed) refused.push({ path, reason: "project-size", detail: `project would be ${projectBytes} bytes > ${limits.maxProjectSize}` });
    changed.length = 0;
  }

  changed.sort();
  deleted.sort();
  return { changed, deleted, refused, projectBytes };
}

import { checkWorkspacePath, isIgnoredPath } from "./workspace-path";
import type { RefusedFile } from "./workspace-files";

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
}

export type Manifest = Map<string, ManifestEntry>;

/** Arguments for `find`, run with cwd /workspace; ignored names are pruned so node_modules is never walked. */
export function manifestFindArgs(ignore: readonly string[]): string[] {
  const prune = ignore.length ? ["(", ...ignore.flatMap((name, i) => (i === 0 ? ["-name", name] : ["-o", "-name", name])), ")", "-prune", "-o"] : [];
  return ["find", ".", "-mindepth", "1", ...prune, "-printf", "%y\\t%s\\t%T@\\t%n\\t%P\\0"];
}

export function parseManifest(output: string): Manifest {
  const manifest: Manifest = new Map();
  for (const record of output.split("\0")) {
    if (record === "") continue;
    // The path is last and may itself contain tabs: split only the first four fields.
    const parts: string[] = [];
    let rest = record;
    for (let i = 0; i < 4; i++) {
      const tab = rest.indexOf("\t");
      if (tab < 0) break;
      parts.push(rest.slice(0, tab));
      rest = rest.slice(tab + 1);
    }
    const [type, size, mtime, links] = parts;
    if (type === undefined || size === undefined || mtime === undefined || links === undefined) continue;
    manifest.set(rest, { type, size: Number(size), mtime, links: Number(links) });
  }
  return manifest;
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

export function diffManifests(before: Manifest, after: Manifest, limits: DiffLimits): ManifestDiff {
  const changed: string[] = [];
  const deleted: string[] = [];
  const refused: RefusedFile[] = [];
  let projectBytes = 0;

  for (const [path, entry] of after) {
    if (entry.type === "d") continue;
    if (isIgnoredPath(path, limits.ignore)) continue;
    const modified = isModified(before.get(path), entry);
    const pathCheck = checkWorkspacePath(path);
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
    if (entry.type !== "f" || isIgnoredPath(path, limits.ignore)) continue;
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

import { diffManifests, type DiffLimits, type Manifest, type ManifestDiff, type ManifestEntry } from "./workspace-manifest";
import { isIgnoredPath } from "./workspace-path";

// What an execution changed, from the paths the agent saw it write (its exit event) instead of a
// walk of the whole workspace: only those paths are compared with the lease's manifest, so the
// cost of saving follows what the run wrote, not the project's size.

export interface WrittenDiff extends ManifestDiff {
  /** Moves the lease's manifest to the state just compared; call once the changes are saved. */
  commit(): void;
}

// What each manifest entry adds to the project's size, worked out once per entry object (an entry
// is replaced, never resized, when its file changes): a run's save then sums a 10,000-file
// manifest without splitting 10,000 paths again.
const storable = new WeakMap<ManifestEntry, number>();

function storableBytes(path: string, entry: ManifestEntry, limits: DiffLimits): number {
  let bytes = storable.get(entry);
  if (bytes === undefined) {
    bytes = entry.type !== "f" || entry.nonUtf8Name || entry.size > limits.maxFileSize || isIgnoredPath(path, limits.ignore) ? 0 : entry.size;
    storable.set(entry, bytes);
  }
  return bytes;
}

/**
 * `written`: each written path with its entry now (null: gone). A path that was a directory
 * and is gone (or is no longer one) takes the files below it with it.
 */
export function diffWritten(manifest: Manifest, written: ReadonlyMap<string, ManifestEntry | null>, limits: DiffLimits): WrittenDiff {
  const before: Manifest = new Map();
  const after: Manifest = new Map();
  const goneDirs: string[] = [];
  for (const [path, now] of written) {
    const was = manifest.get(path);
    if (was) before.set(path, was);
    if (now) after.set(path, now);
    if (was?.type === "d" && now?.type !== "d") goneDirs.push(`${path}/`);
  }
  if (goneDirs.length) {
    for (const [path, entry] of manifest) {
      if (goneDirs.some((dir) => path.startsWith(dir)) && !written.has(path)) before.set(path, entry);
    }
  }
  const diff = diffManifests(before, after, { ...limits, maxProjectSize: Number.POSITIVE_INFINITY });
  // The project's size after these changes: the manifest's storable files, with the compared ones replaced.
  let projectBytes = diff.projectBytes;
  for (const [path, entry] of manifest) {
    if (before.has(path)) continue;
    projectBytes += storableBytes(path, entry, limits);
  }
  if (projectBytes > limits.maxProjectSize) {
    for (const path of diff.changed)
      diff.refused.push({ path, reason: "project-size", detail: `project would be ${projectBytes} bytes > ${limits.maxProjectSize}` });
    diff.changed.length = 0;
  }
  return {
    ...diff,
    projectBytes,
    commit() {
      for (const path of before.keys()) if (!after.has(path)) manifest.delete(path);
      for (const [path, entry] of after) manifest.set(path, entry);
    },
  };
}

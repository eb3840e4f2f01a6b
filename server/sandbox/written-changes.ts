import { diffManifests, storableBytes, type DiffLimits, type Manifest, type ManifestDiff, type ManifestEntry } from "./workspace-manifest";

// What an execution changed, from the paths the agent saw it write (its exit event) instead of a
// walk of the whole workspace: only those paths are compared with the lease's manifest, so the
// cost of saving follows what the run wrote, not the project's size (the manifest keeps its
// project size as it changes: no sum over its 10,000 entries per run either).

export interface WrittenDiff extends ManifestDiff {
  /** Moves the lease's manifest to the state just compared; call once the changes are saved. */
  commit(): void;
}

/**
 * `written`: each written path with its entry now (null: gone). A path that was a directory
 * and is gone (or is no longer one) takes the files below it with it.
 */
export function diffWritten(manifest: Manifest, written: ReadonlyMap<string, ManifestEntry | null>, limits: DiffLimits): WrittenDiff {
  const before = new Map<string, ManifestEntry>();
  const after = new Map<string, ManifestEntry>();
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
  let projectBytes = manifest.storableBytes(limits) + diff.projectBytes;
  for (const [path, entry] of before) projectBytes -= storableBytes(path, entry, limits);
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

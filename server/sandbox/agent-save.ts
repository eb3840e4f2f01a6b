import type { AgentConnection } from "./agent/agent-connection";
import { checkListing } from "./agent/agent-events";
import { encodeWorkspacePath } from "./agent/agent-paths";
import { manifestEntryOf, readThroughAgent, statThroughAgent } from "./agent-files";
import type { RefusedFile, WorkspaceStore } from "./workspace-files";
import { unchangedSinceWritten, writtenFingerprint, type Manifest, type ManifestEntry } from "./workspace-manifest";
import { isIgnoredPath } from "./workspace-path";
import { diffWritten } from "./written-changes";

// Saving a live workspace through its agent, by path: what an execution's exit event names, what
// the watcher (agent-watch-save.ts) reports, or — after a watcher overflow, before a release —
// what one listing finds. Each path is looked at as it is NOW (stat, then read), compared with
// the lease's manifest, and the changes go to the store in one call (one transaction); the
// manifest moves only once the store has them. Callers hold the lease's save lock, so no other
// save or edit of the same workspace interleaves between the look and the manifest's move.

export interface SaveLimits {
  maxFileSize: number;
  maxProjectSize: number;
  binaryFiles: "base64" | "refuse";
  /** Names never saved (config.syncIgnore), per path segment. */
  ignore: readonly string[];
}

export interface AgentSaveTarget {
  projectId: string;
  agent: AgentConnection;
  manifest: Manifest;
  store: WorkspaceStore;
  limits: SaveLimits;
  signal?: AbortSignal;
}

export interface SavedChanges {
  upserted: string[];
  deleted: string[];
  refused: RefusedFile[];
}

export interface SaveOptions {
  /**
   * Leave out files whose bytes are what the engine last wrote or saved there (the manifest's
   * `written`): an IDE save mirrored into the container, read back by the watcher, is no change —
   * and writing it back could put an older save over a newer one still on its way in.
   */
  skipUnchanged?: boolean;
}

/** Saves `paths` as they are now (gone: deleted; a directory gone takes the files below it). */
export async function savePathsThroughAgent(
  target: AgentSaveTarget,
  paths: readonly string[],
  refused: readonly RefusedFile[] = [],
  opts: SaveOptions = {},
): Promise<SavedChanges> {
  if (paths.length === 0 && refused.length === 0) return { upserted: [], deleted: [], refused: [] };
  const written = await statThroughAgent(target.agent, paths);
  return saveEntries(target, written, refused, opts);
}

/** The workspace as one listing shows it (ignored folders not walked), with what the manifest had and is gone. */
export async function listThroughAgent(agent: AgentConnection, ignore: readonly string[], manifest: Manifest, signal?: AbortSignal) {
  const entries = new Map<string, ManifestEntry | null>();
  const refused: RefusedFile[] = [];
  for await (const batch of agent.files.list({ path: encodeWorkspacePath(""), recursive: true, skipDirs: [...ignore] }, signal ? { signal } : {})) {
    const listing = checkListing(batch);
    for (const entry of listing.entries) entries.set(entry.path, manifestEntryOf(entry));
    refused.push(...listing.refused);
  }
  for (const path of manifest.keys()) if (!entries.has(path) && !isIgnoredPath(path, ignore)) entries.set(path, null);
  return { entries, refused };
}

/**
 * One full look at the workspace (a listing, then only the files whose stat changed are read):
 * after the watcher lost events (overflow, a broken stream) and before a container is released.
 */
export async function resyncThroughAgent(target: AgentSaveTarget): Promise<SavedChanges> {
  const { entries, refused } = await listThroughAgent(target.agent, target.limits.ignore, target.manifest, target.signal);
  return saveEntries(target, entries, refused, { skipUnchanged: true });
}

/**
 * Gives the manifest of a freshly loaded workspace the stat times the agent reports (the load
 * only knows what it wrote), so later comparisons read a file only when it really changed.
 * Only an entry whose type and size still match takes the time: anything else stays "changed".
 */
export async function baselineThroughAgent(agent: AgentConnection, ignore: readonly string[], manifest: Manifest, signal?: AbortSignal): Promise<void> {
  const { entries } = await listThroughAgent(agent, ignore, manifest, signal);
  for (const [path, now] of entries) {
    const known = manifest.get(path);
    if (!now || !known || known.type !== now.type || known.size !== now.size) continue;
    known.mtime = now.mtime;
  }
}

async function saveEntries(
  target: AgentSaveTarget,
  written: ReadonlyMap<string, ManifestEntry | null>,
  refused: readonly RefusedFile[],
  opts: SaveOptions,
): Promise<SavedChanges> {
  const { manifest, limits } = target;
  const diff = diffWritten(manifest, written, { maxFileSize: limits.maxFileSize, maxProjectSize: limits.maxProjectSize, ignore: limits.ignore });
  const read = await readThroughAgent(target.agent, diff.changed, limits.maxFileSize, limits.binaryFiles);
  // Compared before the manifest moves: `written` is what the store holds for the path.
  const upserted = opts.skipUnchanged ? read.files.filter((f) => !unchangedSinceWritten(manifest.get(f.path), f)) : read.files;
  const changes = { upserted, deleted: [...diff.deleted, ...read.gone], refused: [...refused, ...diff.refused, ...read.refused] };
  if (changes.upserted.length || changes.deleted.length || changes.refused.length) await target.store.applyChanges(target.projectId, changes);
  diff.commit();
  for (const path of read.gone) manifest.delete(path);
  // The stat times are the agent's: a later look compares these files by content if they differ.
  for (const file of read.files) {
    const entry = manifest.get(file.path);
    if (entry) entry.written = writtenFingerprint(file);
  }
  return { upserted: changes.upserted.map((f) => f.path), deleted: changes.deleted, refused: changes.refused };
}

import type { AgentConnection } from "./agent/agent-connection";
import { AgentCallError } from "./agent/agent-errors";
import { checkListing, type CheckedChange } from "./agent/agent-events";
import { encodeWorkspacePath } from "./agent/agent-paths";
import { manifestEntryOf, readThroughAgent, statThroughAgent } from "./agent-files";
import { encodeFileContent, type RefusedFile, type WorkspaceFile, type WorkspaceStore } from "./workspace-files";
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

/** A directory with at least this many changed paths is listed once instead of stat'ing each. */
const LIST_DIR_AT = 4;

/** Each path's entry now (null: gone), by one listing per busy directory and a stat for the rest. */
async function currentEntries(agent: AgentConnection, paths: readonly string[], signal?: AbortSignal): Promise<Map<string, ManifestEntry | null>> {
  const byDir = new Map<string, string[]>();
  for (const path of paths) {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    const list = byDir.get(dir);
    if (list) list.push(path);
    else byDir.set(dir, [path]);
  }
  const out = new Map<string, ManifestEntry | null>();
  const single: string[] = [];
  for (const [dir, inDir] of byDir) {
    if (inDir.length < LIST_DIR_AT) {
      single.push(...inDir);
      continue;
    }
    const seen = new Map<string, ManifestEntry>();
    try {
      for await (const batch of agent.files.list({ path: encodeWorkspacePath(dir), recursive: false }, signal ? { signal } : {})) {
        for (const entry of checkListing(batch).entries) seen.set(entry.path, manifestEntryOf(entry));
      }
    } catch (err) {
      // The folder is gone (or is no folder now): so is every path in it.
      if (!(err instanceof AgentCallError && (err.rpcCode === "not_found" || err.rpcCode === "failed_precondition"))) throw err;
    }
    for (const path of inDir) out.set(path, seen.get(path) ?? null);
  }
  for (const [path, entry] of await statThroughAgent(agent, single)) out.set(path, entry);
  return out;
}

/**
 * Saves what the watcher reported. Its content (read by the agent when it sent the batch) is used
 * only when the file is still exactly as the agent saw it (same size and time): otherwise it
 * changed since, and the event of that change is on its way, so the path waits for it. A file
 * sent without content (larger than the inline limit) is read.
 */
export async function saveWatchedThroughAgent(
  target: AgentSaveTarget,
  changes: ReadonlyMap<string, CheckedChange>,
  refused: readonly RefusedFile[],
): Promise<SavedChanges> {
  const current = await currentEntries(target.agent, [...changes.keys()], target.signal);
  const known = new Map<string, WorkspaceFile>();
  for (const [path, change] of changes) {
    const now = current.get(path) ?? null;
    if (!now || now.type !== "f" || change.kind !== "written" || !change.entry) continue;
    const seen = manifestEntryOf(change.entry);
    if (seen.type !== "f" || seen.size !== now.size || seen.mtime !== now.mtime) {
      current.delete(path);
      continue;
    }
    if (change.content === null || change.content.length !== now.size) continue;
    const data = Buffer.from(change.content.buffer, change.content.byteOffset, change.content.byteLength);
    const encoded = encodeFileContent(data, target.limits.binaryFiles);
    if (encoded) known.set(path, { path, ...encoded, size: data.length, executable: (change.entry.mode & 0o111) !== 0 });
  }
  return saveEntries(target, current, refused, { skipUnchanged: true }, known);
}

async function saveEntries(
  target: AgentSaveTarget,
  written: ReadonlyMap<string, ManifestEntry | null>,
  refused: readonly RefusedFile[],
  opts: SaveOptions,
  known: ReadonlyMap<string, WorkspaceFile> = new Map(),
): Promise<SavedChanges> {
  const { manifest, limits } = target;
  const diff = diffWritten(manifest, written, { maxFileSize: limits.maxFileSize, maxProjectSize: limits.maxProjectSize, ignore: limits.ignore });
  const read = await readThroughAgent(
    target.agent,
    diff.changed.filter((path) => !known.has(path)),
    limits.maxFileSize,
    limits.binaryFiles,
  );
  for (const path of diff.changed) {
    const file = known.get(path);
    if (file) read.files.push(file);
  }
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

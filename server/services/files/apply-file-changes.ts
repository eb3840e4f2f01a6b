import type { AiPersonality } from "@/lib/ai-personalities";
import type { Env } from "@/lib/env";
import { type ChangeAuthor, checkpointDraft, pruneCheckpoints } from "@/server/services/checkpoints/checkpoint-draft";
import { type FileSnapshot, snapshotOf } from "@/server/services/checkpoints/file-state";
import { AppError } from "@/server/errors/app-error";
import { type FileUpsert, fileRepository } from "@/server/repositories/file-repository";
import type { WorkspaceFile } from "@/server/sandbox/workspace-files";
import { fileTypeOf } from "@/server/services/files/file-type";
import { assertFileSize, assertProjectSize, type WorkspaceLimits } from "@/server/services/files/workspace-limits";
import { type ContentEncoding, contentSize, storableContent } from "./file-content";
import { getFileChangeHub } from "./file-change-hub";
import { type BaseVersion, contentVersion, type FileConflict, VERSION_PATTERN } from "./file-version";
import { assertFilePath } from "./file-path";
import { pushToContainer } from "./push-to-container";
import { getLogger } from "@/server/logging/logger";
import { pushToPeers } from "@/server/services/cluster/ask-owner";

export interface FileWrite {
  path: string;
  content: string;
  encoding?: ContentEncoding;
  isEntryPoint?: boolean;
  /** Set the execute bit (a restore or rollback does); unset keeps the file's current bit. */
  isExecutable?: boolean;
  /** The version this write was based on; see BaseVersion (undefined: create or overwrite). */
  baseVersion?: BaseVersion;
}

export interface FileChangeSet {
  writes: FileWrite[];
  deletes: string[];
  /** The version a delete was based on: refused (CONFLICT) when the file has changed since. */
  deleteVersions?: Readonly<Record<string, string>>;
}

/** The configuration a change set is checked and kept with: the quotas and the checkpoints' retention, passed in where the request entered. */
export type FileWriteSettings = WorkspaceLimits & Pick<Env, "CHECKPOINT_RETENTION">;

/**
 * Validates a whole change set (paths, sizes, quotas) before anything is written, then applies it
 * in one transaction with its checkpoint (when an author is given and something changed), and
 * mirrors it into the live container. Nothing is written when any part is refused.
 */
export async function applyFileChanges(
  projectId: number,
  changes: FileChangeSet,
  aiPersonality: AiPersonality | null,
  settings: FileWriteSettings,
  author?: ChangeAuthor,
): Promise<{ written: string[]; deleted: string[]; versions: Record<string, string>; checkpointId: number | null }> {
  const seen = new Set<string>();
  const upserts: FileUpsert[] = [];
  const pushed: WorkspaceFile[] = [];
  for (const write of changes.writes) {
    const path = assertFilePath(write.path);
    if (seen.has(path)) throw new AppError("BAD_REQUEST", `${path} appears twice in one change set`);
    seen.add(path);
    const { content, encoding } = storableContent(write.content, write.encoding ?? "utf8");
    const size = contentSize(path, content, encoding);
    assertFileSize(path, size, settings);
    if (typeof write.baseVersion === "string" && !VERSION_PATTERN.test(write.baseVersion))
      throw new AppError("BAD_REQUEST", `${path}: baseVersion must be the 64-hex-digit version a read returned (or null to create)`);
    upserts.push({
      filePath: path,
      content,
      encoding,
      sizeBytes: size,
      version: contentVersion(content, encoding),
      baseVersion: write.baseVersion,
      fileType: fileTypeOf(path),
      isEntryPoint: write.isEntryPoint,
      isExecutable: write.isExecutable,
      createdByAi: aiPersonality,
    });
    pushed.push({ path, content, encoding, size, executable: write.isExecutable });
  }
  const deleting = new Set<string>();
  for (const path of changes.deletes) {
    assertFilePath(path);
    if (seen.has(path)) throw new AppError("BAD_REQUEST", `${path} is both written and deleted in one change set`);
    if (deleting.has(path)) throw new AppError("BAD_REQUEST", `${path} is deleted twice in one change set`);
    deleting.add(path);
  }
  if (upserts.filter((u) => u.isEntryPoint).length > 1) throw new AppError("BAD_REQUEST", "at most one file may be the entry point");

  const untouched = await fileRepository.totalSize(projectId, [...seen, ...changes.deletes]);
  assertProjectSize(untouched + upserts.reduce((sum, u) => sum + u.sizeBytes, 0), settings);

  const { applied, existing } = await storeWithHistory(projectId, upserts, changes, pushed, author);
  const { checkpointId } = applied;
  if (checkpointId !== null) await pruneCheckpoints(projectId, settings.CHECKPOINT_RETENTION);
  const entry = upserts.find((u) => u.isEntryPoint);
  if (entry) await fileRepository.clearEntryPoint(projectId, entry.filePath);
  // Only real content changes are news: a save of the bytes already stored tells no one anything.
  const versions = Object.fromEntries(upserts.filter((u) => applied.changed.includes(u.filePath)).map((u) => [u.filePath, u.version]));
  getFileChangeHub().publish(projectId, {
    upserted: Object.keys(versions),
    versions,
    deleted: changes.deletes,
    refused: [],
    source: "api",
    aiPersonality,
    checkpointId,
  });
  // Rewriting a file keeps its execute bit, in the store (applyChanges) and in the container.
  await pushToContainer(
    projectId,
    pushed.map((f) => ({ ...f, executable: f.executable ?? existing.get(f.path)?.executable ?? false })),
    changes.deletes,
  );
  // …and in the live container of every other instance that holds one (replicas; cluster/SCALE.md).
  await pushToPeers(
    projectId,
    pushed.map((f) => f.path),
    changes.deletes,
  ).catch((err: unknown) =>
    getLogger().warn({ sandbox_id: String(projectId), err: err instanceof Error ? err.message : String(err) }, "pushing files to other instances failed"),
  );
  return { written: [...seen], deleted: changes.deletes, versions: Object.fromEntries(upserts.map((u) => [u.filePath, u.version])), checkpointId };
}

/** How often a change set with history reads the files again when another change lands between that read and its transaction. */
const HISTORY_ATTEMPTS = 5;

/**
 * Stores the change set, with its checkpoint when an author is given, in one transaction. The
 * checkpoint's "before" is the state read just before it, so writes and deletes the caller did
 * not base on a version are based here on the version read: a change landing in between makes
 * the set read again, and history stays one chain (each change's before is the last one's after).
 * The last attempt overwrites as the caller asked. The caller's own bases are never relaxed.
 */
async function storeWithHistory(projectId: number, upserts: FileUpsert[], changes: FileChangeSet, pushed: WorkspaceFile[], author: ChangeAuthor | undefined) {
  const paths = [...upserts.map((u) => u.filePath), ...changes.deletes];
  const explicit = (path: string) => upserts.find((u) => u.filePath === path)?.baseVersion !== undefined || changes.deleteVersions?.[path] !== undefined;
  for (let attempt = 1; ; attempt++) {
    const records = await fileRepository.findMany(projectId, paths);
    const existing = new Map(records.map((f) => [f.filePath, snapshotOf(f)]));
    const read = new Map(records.map((f) => [f.filePath, f.version]));
    const guard = author !== undefined && attempt < HISTORY_ATTEMPTS;
    let draft = null;
    if (author) {
      const after = new Map<string, FileSnapshot | null>();
      for (const w of pushed)
        after.set(w.path, { path: w.path, content: w.content, encoding: w.encoding, executable: w.executable ?? existing.get(w.path)?.executable ?? false });
      for (const path of changes.deletes) if (existing.has(path)) after.set(path, null);
      draft = await checkpointDraft(projectId, author, existing, after);
    }
    const based = guard ? upserts.map((u) => (u.baseVersion === undefined ? { ...u, baseVersion: read.get(u.filePath) ?? null } : u)) : upserts;
    const deleteVersions = guard
      ? { ...Object.fromEntries(changes.deletes.flatMap((path) => (read.has(path) ? [[path, read.get(path)!]] : []))), ...changes.deleteVersions }
      : changes.deleteVersions;
    // The checkpoint is stored in the same transaction as the files (and not at all on a conflict).
    const applied = await fileRepository.applyChanges(projectId, based, changes.deletes, draft ?? undefined, deleteVersions);
    if (applied.ok) return { applied, existing };
    const refused = applied.conflicts.filter((c) => explicit(c.path));
    if (refused.length || !guard) throw conflictError(refused.length ? refused : applied.conflicts);
  }
}

/** CONFLICT with what is stored now, so the writer can compare, reload, or overwrite on purpose. */
function conflictError(conflicts: FileConflict[]): AppError {
  const short = (v: string | null) => (v === null ? "none" : v.slice(0, 12));
  const what = conflicts
    .slice(0, 5)
    .map((c) =>
      c.baseVersion === null
        ? `${c.path} already exists (version ${short(c.currentVersion)})`
        : c.currentVersion === null
          ? `${c.path} was deleted since version ${short(c.baseVersion)}`
          : `${c.path} changed since version ${short(c.baseVersion)} (now ${short(c.currentVersion)})`,
    )
    .join("; ");
  const more = conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : "";
  return new AppError(
    "CONFLICT",
    `Not saved, nothing was written: ${what}${more}. Read the file again and reapply your change, or write again with baseVersion set to the current version to overwrite it (null when it no longer exists).`,
    { conflicts },
  );
}

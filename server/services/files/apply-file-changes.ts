import type { AiPersonality } from "@/lib/ai-personalities";
import { type ChangeActor, checkpointDraft, pruneCheckpoints } from "@/server/services/checkpoints/checkpoint-draft";
import { type FileSnapshot, snapshotOf } from "@/server/services/checkpoints/file-state";
import { AppError } from "@/server/errors/app-error";
import { type FileUpsert, fileRepository } from "@/server/repositories/file-repository";
import type { WorkspaceFile } from "@/server/sandbox/workspace-files";
import { fileTypeOf } from "@/server/services/file-type";
import { assertFileSize, assertProjectSize } from "@/server/services/workspace-limits";
import { type ContentEncoding, contentSize } from "./file-content";
import { getFileChangeHub } from "./file-change-hub";
import { assertFilePath } from "./file-path";
import { pushToContainer } from "./push-to-container";

export interface FileWrite {
  path: string;
  content: string;
  encoding?: ContentEncoding;
  isEntryPoint?: boolean;
  /** Set the execute bit (a restore or rollback does); unset keeps the file's current bit. */
  isExecutable?: boolean;
}

export interface FileChangeSet {
  writes: FileWrite[];
  deletes: string[];
}

/**
 * Validates a whole change set (paths, sizes, quotas) before anything is written, then applies it
 * in one transaction with its checkpoint (when an actor is given and something changed), and
 * mirrors it into the live container. Nothing is written when any part is refused.
 */
export async function applyFileChanges(
  projectId: number,
  changes: FileChangeSet,
  aiPersonality: AiPersonality | null,
  actor?: ChangeActor,
): Promise<{ written: string[]; deleted: string[]; checkpointId: number | null }> {
  const seen = new Set<string>();
  const upserts: FileUpsert[] = [];
  const pushed: WorkspaceFile[] = [];
  for (const write of changes.writes) {
    const path = assertFilePath(write.path);
    if (seen.has(path)) throw new AppError("BAD_REQUEST", `${path} appears twice in one change set`);
    seen.add(path);
    const encoding = write.encoding ?? "utf8";
    const size = contentSize(path, write.content, encoding);
    assertFileSize(path, size);
    upserts.push({
      filePath: path,
      content: write.content,
      encoding,
      sizeBytes: size,
      fileType: fileTypeOf(path),
      isEntryPoint: write.isEntryPoint,
      isExecutable: write.isExecutable,
      createdByAi: aiPersonality,
    });
    pushed.push({ path, content: write.content, encoding, size, executable: write.isExecutable });
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
  assertProjectSize(untouched + upserts.reduce((sum, u) => sum + u.sizeBytes, 0));

  const existing = new Map((await fileRepository.findMany(projectId, [...seen, ...changes.deletes])).map((f) => [f.filePath, snapshotOf(f)]));
  let draft = null;
  if (actor) {
    const after = new Map<string, FileSnapshot | null>();
    for (const w of pushed)
      after.set(w.path, { path: w.path, content: w.content, encoding: w.encoding, executable: w.executable ?? existing.get(w.path)?.executable ?? false });
    for (const path of changes.deletes) if (existing.has(path)) after.set(path, null);
    draft = await checkpointDraft(projectId, actor, existing, after);
  }
  const checkpointId = await fileRepository.applyChanges(projectId, upserts, changes.deletes, draft ?? undefined);
  if (checkpointId !== null) await pruneCheckpoints(projectId);
  const entry = upserts.find((u) => u.isEntryPoint);
  if (entry) await fileRepository.clearEntryPoint(projectId, entry.filePath);
  getFileChangeHub().publish(projectId, { upserted: [...seen], deleted: changes.deletes, refused: [], source: "api", aiPersonality, checkpointId });
  // Rewriting a file keeps its execute bit, in the store (applyChanges) and in the container.
  await pushToContainer(
    projectId,
    pushed.map((f) => ({ ...f, executable: f.executable ?? existing.get(f.path)?.executable ?? false })),
    changes.deletes,
  );
  return { written: [...seen], deleted: changes.deletes, checkpointId };
}

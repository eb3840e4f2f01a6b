import type { AiPersonality } from "@/lib/ai-personalities";
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
}

export interface FileChangeSet {
  writes: FileWrite[];
  deletes: string[];
}

/**
 * Validates a whole change set (paths, sizes, quotas) before anything is written, then applies it
 * in one transaction and mirrors it into the live container. Nothing is written when any part is refused.
 */
export async function applyFileChanges(
  projectId: number,
  changes: FileChangeSet,
  aiPersonality: AiPersonality | null,
): Promise<{ written: string[]; deleted: string[] }> {
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
      createdByAi: aiPersonality,
    });
    pushed.push({ path, content: write.content, encoding, size });
  }
  for (const path of changes.deletes) {
    assertFilePath(path);
    if (seen.has(path)) throw new AppError("BAD_REQUEST", `${path} is both written and deleted in one change set`);
  }
  if (upserts.filter((u) => u.isEntryPoint).length > 1) throw new AppError("BAD_REQUEST", "at most one file may be the entry point");

  const untouched = await fileRepository.totalSize(projectId, [...seen, ...changes.deletes]);
  assertProjectSize(untouched + upserts.reduce((sum, u) => sum + u.sizeBytes, 0));

  await fileRepository.applyChanges(projectId, upserts, changes.deletes);
  const entry = upserts.find((u) => u.isEntryPoint);
  if (entry) await fileRepository.clearEntryPoint(projectId, entry.filePath);
  getFileChangeHub().publish(projectId, { upserted: [...seen], deleted: changes.deletes, refused: [], source: "api", aiPersonality });
  // Rewriting a file keeps its execute bit, in the store (applyChanges) and in the container.
  const executable = new Set((await fileRepository.listMeta(projectId)).filter((f) => f.isExecutable).map((f) => f.filePath));
  await pushToContainer(
    projectId,
    pushed.map((f) => ({ ...f, executable: executable.has(f.path) })),
    changes.deletes,
  );
  return { written: [...seen], deleted: changes.deletes };
}

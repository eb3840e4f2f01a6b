import type { WorkspaceChanges, WorkspaceFile, WorkspaceStore } from "@/server/sandbox/workspace-files";
import { fileRepository } from "@/server/repositories/file-repository";
import { getFileChangeHub } from "./files/file-change-hub";
import { fileTypeOf } from "./file-type";

/**
 * The engine's durable copy of a project's files, in sandbox_files. The engine names projects
 * by string; the database by integer id.
 */
export class DatabaseWorkspaceStore implements WorkspaceStore {
  async loadFiles(projectId: string): Promise<WorkspaceFile[]> {
    const files = await fileRepository.listWithContent(Number(projectId));
    return files.map((f) => ({
      path: f.filePath,
      content: f.content ?? "",
      encoding: f.encoding === "base64" ? "base64" : "utf8",
      size: f.sizeBytes,
      executable: f.isExecutable,
    }));
  }

  async applyChanges(projectId: string, changes: WorkspaceChanges): Promise<void> {
    await fileRepository.applyChanges(
      Number(projectId),
      changes.upserted.map((f) => ({
        filePath: f.path,
        content: f.content,
        encoding: f.encoding,
        sizeBytes: f.size,
        fileType: fileTypeOf(f.path),
        isExecutable: f.executable ?? false,
      })),
      changes.deleted,
    );
    // What a program wrote in the container reaches open IDEs without a reload.
    getFileChangeHub().publish(Number(projectId), {
      upserted: changes.upserted.map((f) => f.path),
      deleted: changes.deleted,
      // Said in the feed too, so an open IDE learns that a file it will not see was left out.
      refused: changes.refused.map((f) => ({ path: f.path, reason: f.reason, detail: f.detail ?? null })),
      source: "execution",
      aiPersonality: null,
    });
  }
}

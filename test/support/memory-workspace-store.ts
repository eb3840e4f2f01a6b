import type { WorkspaceChanges, WorkspaceFile, WorkspaceStore } from "@/server/sandbox/workspace-files";

/** A WorkspaceStore held in memory: for tests and the benchmark (production uses the database). */
export class MemoryWorkspaceStore implements WorkspaceStore {
  readonly projects = new Map<string, Map<string, WorkspaceFile>>();
  readonly applied: { projectId: string; changes: WorkspaceChanges }[] = [];

  files(projectId: string): Map<string, WorkspaceFile> {
    let files = this.projects.get(projectId);
    if (!files) this.projects.set(projectId, (files = new Map<string, WorkspaceFile>()));
    return files;
  }

  put(projectId: string, path: string, content: string | Buffer): void {
    const file: WorkspaceFile =
      typeof content === "string"
        ? { path, content, encoding: "utf8", size: Buffer.byteLength(content) }
        : { path, content: content.toString("base64"), encoding: "base64", size: content.length };
    this.files(projectId).set(path, file);
  }

  async loadFiles(projectId: string): Promise<WorkspaceFile[]> {
    return [...this.files(projectId).values()];
  }

  async applyChanges(projectId: string, changes: WorkspaceChanges): Promise<void> {
    this.applied.push({ projectId, changes });
    const files = this.files(projectId);
    for (const file of changes.upserted) files.set(file.path, file);
    for (const path of changes.deleted) files.delete(path);
  }
}

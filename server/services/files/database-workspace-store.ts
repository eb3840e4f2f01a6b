import type { WorkspaceChanges, WorkspaceFile, WorkspaceStore } from "@/server/sandbox/workspace-files";
import { escapeNonUtf8 } from "@/server/sandbox/workspace-manifest";
import { getLogger } from "@/server/logging/logger";
import { fileRepository } from "@/server/repositories/file-repository";
import { pushToPeers } from "@/server/services/cluster/ask-owner";
import { savingOwner } from "@/server/services/cluster/ownership-runtime";
import { getFileChangeHub } from "./file-change-hub";
import { contentVersion } from "./file-version";
import { fileTypeOf } from "./file-type";

/**
 * The engine's durable copy of a project's files, in sandbox_files. The engine names projects
 * by string; the database by integer id.
 */
export class DatabaseWorkspaceStore implements WorkspaceStore {
  async loadFiles(projectId: string): Promise<WorkspaceFile[]> {
    const files = await fileRepository.listWithContent(Number(projectId));
    return files.map((f) => ({
      // A name that is not UTF-8 is loaded from its exact bytes (the engine sends them to the agent).
      path: f.pathBase64 === null ? f.filePath : escapeNonUtf8(Buffer.from(f.pathBase64, "base64")),
      content: f.content ?? "",
      encoding: f.encoding === "base64" ? "base64" : "utf8",
      size: f.sizeBytes,
      executable: f.isExecutable,
    }));
  }

  async applyChanges(projectId: string, changes: WorkspaceChanges): Promise<void> {
    const upserts = changes.upserted.map((f) => ({
      filePath: f.path,
      content: f.content,
      encoding: f.encoding,
      sizeBytes: f.size,
      version: contentVersion(f.content, f.encoding),
      fileType: fileTypeOf(f.path),
      isExecutable: f.executable ?? false,
    }));
    // What a program wrote is stored whatever the store holds (no base version): the engine does
    // not yet say which version a container's file was based on.
    // Fenced by ownership (replicas): refused when another instance has taken the project.
    const applied = await fileRepository.applyChanges(Number(projectId), upserts, changes.deleted, undefined, {}, savingOwner(Number(projectId)));
    const changed = applied.ok ? new Set(applied.changed) : new Set<string>();
    const versions = Object.fromEntries(upserts.filter((u) => changed.has(u.filePath)).map((u) => [u.filePath, u.version]));
    // What a program wrote in the container reaches open IDEs without a reload; a file written back
    // with the bytes it already had (a sync after an IDE save, a touch) is no change to anyone.
    getFileChangeHub().publish(Number(projectId), {
      upserted: Object.keys(versions),
      versions,
      deleted: changes.deleted,
      // Said in the feed too, so an open IDE learns that a file it will not see was left out.
      refused: changes.refused.map((f) => ({ path: f.path, reason: f.reason, detail: f.detail ?? null })),
      source: "execution",
      aiPersonality: null,
    });
    // Another instance's live container of the project takes what this run saved (replicas; cluster/SCALE.md).
    await pushToPeers(Number(projectId), Object.keys(versions), changes.deleted).catch((err: unknown) =>
      getLogger().warn({ sandbox_id: projectId, err: err instanceof Error ? err.message : String(err) }, "pushing saved files to other instances failed"),
    );
  }
}

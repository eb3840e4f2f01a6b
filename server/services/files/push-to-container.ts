import { getLogger } from "@/server/logging/logger";
import { getAppRuntime } from "@/server/process/app-runtime";
import type { WorkspaceFile } from "@/server/sandbox/workspace-files";

/**
 * Mirrors saved edits into the project's live container, if it has one. The store already holds
 * them, so a failure here only costs the container (the engine replaces it); it is logged, not thrown.
 */
export async function pushToContainer(projectId: number, files: WorkspaceFile[], deleted: string[]): Promise<void> {
  const engine = getAppRuntime().engine;
  if (!engine || (!files.length && !deleted.length)) return;
  try {
    await engine.writeFiles(String(projectId), files, deleted);
  } catch (err) {
    getLogger().warn({ sandbox_id: String(projectId), err: err instanceof Error ? err.message : String(err) }, "pushing files into the live container failed");
  }
}

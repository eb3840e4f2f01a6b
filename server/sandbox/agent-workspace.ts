import { createHash } from "node:crypto";
import type { AgentConnection } from "./agent/agent-connection";
import { AgentCallError } from "./agent/agent-errors";
import { encodeWorkspacePath } from "./agent/agent-paths";
import { Manifest } from "./workspace-manifest";
import type { CheckedWorkspaceFile } from "./workspace-tar";

// Loading a workspace and mirroring edits into it through the agent (FileService.WriteMany and
// Remove, as the sandbox user beneath /workspace): no tar, no script, no `find` afterwards. The
// manifest is built from what was written, so an execution's written paths compare against it.

/** One WriteMany message holds files up to about this much (a larger file travels alone). */
const BATCH_BYTES = 1024 * 1024;
/** mtime of entries the engine wrote: never equal to a stat's, so a rewrite always reads as a change. */
const WRITTEN_BY_ENGINE = "engine";

async function* batches(files: readonly CheckedWorkspaceFile[]) {
  let batch: { path: Uint8Array; mode: number; data: Uint8Array }[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length && bytes + file.data.length > BATCH_BYTES) {
      yield { files: batch };
      batch = [];
      bytes = 0;
    }
    batch.push({ path: encodeWorkspacePath(file.path), mode: file.executable ? 0o755 : 0o644, data: file.data });
    bytes += file.data.length + file.path.length;
  }
  if (batch.length) yield { files: batch };
}

function record(manifest: Manifest, file: CheckedWorkspaceFile): void {
  const written = { sha256: createHash("sha256").update(file.data).digest("hex"), executable: Boolean(file.executable) };
  manifest.set(file.path, { type: "f", size: file.data.length, mtime: WRITTEN_BY_ENGINE, links: 1, written });
  const segments = file.path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const dir = segments.slice(0, i).join("/");
    if (!manifest.has(dir)) manifest.set(dir, { type: "d", size: 0, mtime: WRITTEN_BY_ENGINE, links: 2 });
  }
}

/** Writes a fresh container's workspace; returns its manifest. */
export async function loadThroughAgent(agent: AgentConnection, files: readonly CheckedWorkspaceFile[], signal: AbortSignal): Promise<Manifest> {
  if (files.length) await agent.files.writeMany(batches(files), { signal });
  const manifest = new Manifest();
  for (const file of files) record(manifest, file);
  return manifest;
}

/** Mirrors saved edits into a live workspace and its manifest (a path already gone is fine). */
export async function writeThroughAgent(
  agent: AgentConnection,
  manifest: Manifest,
  files: readonly CheckedWorkspaceFile[],
  deleted: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  for (const path of deleted) {
    await agent.files.remove({ path: encodeWorkspacePath(path), recursive: false }, { signal }).catch((err: unknown) => {
      if (!(err instanceof AgentCallError && err.rpcCode === "not_found")) throw err;
    });
    manifest.delete(path);
  }
  if (files.length) await agent.files.writeMany(batches(files), { signal });
  for (const file of files) record(manifest, file);
}

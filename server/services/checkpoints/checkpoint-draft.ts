import type { AiPersonality } from "@/lib/ai-personalities";
import { type CheckpointDraft, checkpointRepository, type CheckpointFileDraft } from "@/server/repositories/checkpoint-repository";
import { getLogger } from "@/server/logging/logger";
import { bytesOf, compressBlob, type FileSnapshot, sameState, sha256Hex, stateOf } from "./file-state";

export type CheckpointSource = "ide" | "api" | "ai" | "refactor" | "feature" | "rollback" | "restore";

/** Who made a change set and why; built where the request enters and passed down. */
export interface ChangeAuthor {
  userId: number | null;
  aiPersonality: AiPersonality | null;
  source: CheckpointSource;
  description?: string;
  restoredFrom?: number;
}

/**
 * The checkpoint for one change set: per path its state before (from the store) and after
 * (null = deleted), content stored once per hash. Null when nothing actually changed (a save of
 * identical content leaves no noise in the history).
 */
export async function checkpointDraft(
  projectId: number,
  author: ChangeAuthor,
  before: Map<string, FileSnapshot>,
  after: Map<string, FileSnapshot | null>,
): Promise<CheckpointDraft | null> {
  const files: CheckpointFileDraft[] = [];
  const content = new Map<string, Buffer>();
  for (const [path, next] of after) {
    const prev = before.get(path) ?? null;
    const beforeState = prev ? stateOf(prev) : null;
    const afterState = next ? stateOf(next) : null;
    if (sameState(beforeState, afterState)) continue;
    if (prev && beforeState) content.set(beforeState.hash, bytesOf(prev.content, prev.encoding));
    if (next && afterState) content.set(afterState.hash, bytesOf(next.content, next.encoding));
    files.push({ filePath: path, before: beforeState, after: afterState });
  }
  if (!files.length) return null;
  const stored = await checkpointRepository.existingHashes(projectId, [...content.keys()]);
  const blobs = [...content].filter(([hash]) => !stored.has(hash)).map(([hash, bytes]) => ({ hash, sizeBytes: bytes.length, data: compressBlob(bytes) }));
  files.sort((a, b) => a.filePath.localeCompare(b.filePath));
  return {
    projectId,
    userId: author.userId,
    aiPersonality: author.aiPersonality,
    source: author.source,
    description: (author.description ?? describe(files)).slice(0, 500),
    restoredFrom: author.restoredFrom ?? null,
    files,
    blobs,
  };
}

function describe(files: CheckpointFileDraft[]): string {
  const verb = (f: CheckpointFileDraft) => (!f.before ? "add" : !f.after ? "delete" : "edit");
  const shown = files.slice(0, 3).map((f) => `${verb(f)} ${f.filePath}`);
  return files.length > 3 ? `${shown.join(", ")} and ${files.length - 3} more` : shown.join(", ");
}

/** Applies the retention setting (CHECKPOINT_RETENTION) after a checkpoint is stored; a failure here costs only old history. */
export async function pruneCheckpoints(projectId: number, retention: number): Promise<void> {
  try {
    await checkpointRepository.prune(projectId, retention);
  } catch (err) {
    getLogger().warn({ sandbox_id: String(projectId), err: err instanceof Error ? err.message : String(err) }, "pruning old checkpoints failed");
  }
}

export { sha256Hex };

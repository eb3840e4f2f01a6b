import { gunzipSync } from "node:zlib";
import { createTwoFilesPatch } from "diff";
import type { AiPersonality } from "@/lib/ai-personalities";
import type { Actor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { type CheckpointFileRecord, type CheckpointRecord, checkpointRepository } from "@/server/repositories/checkpoint-repository";
import { fileRepository } from "@/server/repositories/file-repository";
import { applyFileChanges, type FileWrite, type FileWriteSettings } from "@/server/services/files/apply-file-changes";
import { changeAuthorOf } from "@/server/services/files/file-service";
import { requireProject } from "@/server/services/projects/project-access";
import type { ChangeAuthor } from "./checkpoint-draft";
import { type FileSnapshot, sameState, snapshotOf, stateOf } from "./file-state";

// A project's history of change sets: who changed which files when, each file's diff, and a
// restore that is itself a checkpoint (so it can be undone by restoring the one before it).

/** Content shown by checkpoints.get, in total; the rest of a big checkpoint is listed as omitted. */
const GET_CONTENT_BUDGET = 4 * 1024 * 1024;

export type FileChangeKind = "added" | "modified" | "deleted";

function kindOf(f: CheckpointFileRecord): FileChangeKind {
  return !f.beforeHash ? "added" : !f.afterHash ? "deleted" : "modified";
}

function summary(c: CheckpointRecord) {
  return {
    id: c.id,
    projectId: c.projectId,
    createdAt: c.createdAt,
    author: { userId: c.userId, name: c.user?.name ?? c.user?.email ?? null, aiPersonality: c.aiPersonality },
    source: c.source,
    description: c.description,
    restoredFrom: c.restoredFrom,
    files: c.files.map((f) => ({ path: f.filePath, change: kindOf(f) })),
  };
}

export async function listCheckpoints(user: AuthUser, projectId: number, opts: { limit: number; beforeId?: number }) {
  await requireProject(user, projectId, "read");
  const rows = await checkpointRepository.list(projectId, opts.limit, opts.beforeId);
  return { checkpoints: rows.map(summary), nextBeforeId: rows.length === opts.limit ? (rows.at(-1)?.id ?? null) : null };
}

async function requireCheckpoint(projectId: number, checkpointId: number): Promise<CheckpointRecord> {
  const checkpoint = await checkpointRepository.find(projectId, checkpointId);
  if (!checkpoint) throw new AppError("NOT_FOUND", `No checkpoint ${checkpointId} in project ${projectId}`);
  return checkpoint;
}

/** Decompressed blobs as stored content (UTF-8 text, or base64 for binary files). */
async function contents(projectId: number, wanted: { hash: string; encoding: string }[]): Promise<Map<string, string>> {
  const blobs = await checkpointRepository.blobs(
    projectId,
    wanted.map((w) => w.hash),
  );
  const out = new Map<string, string>();
  for (const w of wanted) {
    const data = blobs.get(w.hash);
    if (!data) throw new AppError("INTERNAL", `checkpoint content ${w.hash} is missing`);
    out.set(`${w.encoding}:${w.hash}`, gunzipSync(data).toString(w.encoding === "base64" ? "base64" : "utf8"));
  }
  return out;
}

/** One checkpoint with, per file, both sides (text for the diff editor) and a unified diff. */
export async function getCheckpoint(user: AuthUser, projectId: number, checkpointId: number, onlyPath?: string) {
  await requireProject(user, projectId, "read");
  const checkpoint = await requireCheckpoint(projectId, checkpointId);
  const files = onlyPath ? checkpoint.files.filter((f) => f.filePath === onlyPath) : checkpoint.files;
  const blobs = await checkpointRepository.blobs(
    projectId,
    files.flatMap((f) => [f.beforeHash, f.afterHash].filter((h): h is string => h !== null)),
  );
  let budget = GET_CONTENT_BUDGET;
  const side = (hash: string | null, encoding: string | null, executable: boolean | null) => {
    if (!hash) return null;
    const data = blobs.get(hash);
    const bytes = data ? gunzipSync(data) : null;
    const binary = encoding === "base64";
    const fits = bytes !== null && bytes.length <= budget;
    if (fits) budget -= bytes.length;
    return {
      hash,
      sizeBytes: bytes?.length ?? 0,
      executable: executable ?? false,
      binary,
      // Binary content is base64, as files.read gives it; null when over the response's budget.
      content: fits ? bytes.toString(binary ? "base64" : "utf8") : null,
    };
  };
  return {
    ...summary(checkpoint),
    diffs: files.map((f) => {
      const before = side(f.beforeHash, f.beforeEncoding, f.beforeExecutable);
      const after = side(f.afterHash, f.afterEncoding, f.afterExecutable);
      const textual = !before?.binary && !after?.binary && before?.content !== null && after?.content !== null;
      return {
        path: f.filePath,
        change: kindOf(f),
        before,
        after,
        diff: textual
          ? createTwoFilesPatch(before ? `a/${f.filePath}` : "/dev/null", after ? `b/${f.filePath}` : "/dev/null", before?.content ?? "", after?.content ?? "")
          : null,
      };
    }),
  };
}

/**
 * The project as it was just after `checkpointId`, for every path a later checkpoint touched: the
 * state before the first later change of that path. That state was read from the store when the
 * later change was made, so it includes what executions did in between (a chmod, a generated
 * file) and not only what the checkpoint itself wrote. Paths no later checkpoint touched are
 * already as they were.
 */
function targetStates(history: Awaited<ReturnType<typeof checkpointRepository.fileHistory>>, checkpointId: number) {
  const target = new Map<string, { hash: string; encoding: string; executable: boolean } | null>();
  for (const f of history) {
    if (f.checkpointId <= checkpointId || target.has(f.filePath)) continue;
    target.set(f.filePath, f.beforeHash ? { hash: f.beforeHash, encoding: f.beforeEncoding ?? "utf8", executable: f.beforeExecutable ?? false } : null);
  }
  return target;
}

/** How often a restore or rollback reads the files again when a save lands between its read and its write. */
const RETURN_ATTEMPTS = 5;

/**
 * Brings files back to given states through the ordinary write path (store, feed, live container)
 * as one checkpoint. Each write and delete is based on the version just read, so a save landing
 * between that read and the write is never overwritten unseen: the set is refused as a whole and
 * read again (the save then comes before the restore in history, and the restore wins knowingly).
 */
export async function returnFilesTo(
  projectId: number,
  target: Map<string, FileSnapshot | null>,
  ai: AiPersonality | null,
  author: ChangeAuthor,
  settings: FileWriteSettings,
) {
  for (let attempt = 1; ; attempt++) {
    const current = new Map(
      (await fileRepository.findMany(projectId, [...target.keys()])).map((f) => [f.filePath, { snapshot: snapshotOf(f), version: f.version }]),
    );
    const writes: FileWrite[] = [];
    const deletes: string[] = [];
    const deleteVersions: Record<string, string> = {};
    for (const [path, want] of target) {
      const have = current.get(path) ?? null;
      if (sameState(have ? stateOf(have.snapshot) : null, want ? stateOf(want) : null)) continue;
      if (want) writes.push({ path, content: want.content, encoding: want.encoding, isExecutable: want.executable, baseVersion: have?.version ?? null });
      else if (have) {
        deletes.push(path);
        deleteVersions[path] = have.version;
      }
    }
    if (!writes.length && !deletes.length) return { written: [], deleted: [], checkpointId: null };
    try {
      return await applyFileChanges(projectId, { writes, deletes, deleteVersions }, ai, settings, author);
    } catch (err) {
      if (!(err instanceof AppError && err.code === "CONFLICT") || attempt >= RETURN_ATTEMPTS) throw err;
    }
  }
}

/** Returns the project's files to their state just after a checkpoint; recorded as a new checkpoint. */
export async function restoreCheckpoint(actor: Actor, projectId: number, checkpointId: number, settings: FileWriteSettings) {
  await requireProject(actor.user, projectId, "write");
  const checkpoint = await requireCheckpoint(projectId, checkpointId);
  const states = targetStates(await checkpointRepository.fileHistory(projectId), checkpointId);
  const wanted = [...states.values()].filter((s) => s !== null);
  const content = await contents(projectId, wanted);
  const target = new Map<string, FileSnapshot | null>();
  for (const [path, s] of states) {
    target.set(
      path,
      s
        ? { path, content: content.get(`${s.encoding}:${s.hash}`) ?? "", encoding: s.encoding === "base64" ? "base64" : "utf8", executable: s.executable }
        : null,
    );
  }
  const description = `restore to #${checkpoint.id}: ${checkpoint.description}`;
  const result = await returnFilesTo(
    projectId,
    target,
    actor.ai,
    changeAuthorOf(actor, { source: "restore", description, restoredFrom: checkpoint.id }),
    settings,
  );
  return { restoredFrom: checkpoint.id, ...result };
}

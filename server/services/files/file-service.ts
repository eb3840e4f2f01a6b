import type { AiPersonality } from "@/lib/ai-personalities";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { type FileMeta, type FileRecord, fileRepository } from "@/server/repositories/file-repository";
import { attributedAi } from "@/server/services/ai-attribution";
import type { ChangeActor } from "@/server/services/checkpoints/checkpoint-draft";
import { requireProject } from "@/server/services/projects/project-access";
import { applyFileChanges, type FileChangeSet, type FileWrite } from "./apply-file-changes";
import { assertFilePath, isUnder } from "./file-path";

// A project's files as people and AIs edit them. Reads need read access (owner, admin, or a
// public project); every change needs write access and is attributed to the AI that made it.

export async function listFiles(user: AuthUser, projectId: number): Promise<FileMeta[]> {
  await requireProject(user, projectId, "read");
  return fileRepository.listMeta(projectId);
}

export async function readFile(user: AuthUser, projectId: number, path: string): Promise<FileRecord> {
  await requireProject(user, projectId, "read");
  const file = await fileRepository.find(projectId, assertFilePath(path));
  if (!file) throw new AppError("NOT_FOUND", `No file ${path} in project ${projectId}`);
  return file;
}

export async function writeFile(user: AuthUser, projectId: number, write: FileWrite, ai?: AiPersonality | null): Promise<FileRecord> {
  return (await writeFilesAndRead(user, projectId, { writes: [write], deletes: [] }, ai, write.path)) as FileRecord;
}

export async function createFile(user: AuthUser, projectId: number, write: FileWrite, ai?: AiPersonality | null): Promise<FileRecord> {
  await requireProject(user, projectId, "write");
  if (await fileRepository.find(projectId, assertFilePath(write.path)))
    throw new AppError("CONFLICT", `${write.path} already exists; write it instead, or pick another name`);
  // A create racing another create of the same path: the second is refused by the store too.
  return writeFile(user, projectId, { ...write, baseVersion: null }, ai);
}

/**
 * Who a change is recorded as in the history: the AI personality if one acted, else the person in
 * the IDE (a session) or through the API (a key). Each call is one batch: an IDE save is one checkpoint.
 */
export function actorOf(user: AuthUser, ai: AiPersonality | null, extra: Partial<ChangeActor> = {}): ChangeActor {
  return { userId: user.id, aiPersonality: ai, source: ai ? "ai" : user.via === "session" ? "ide" : "api", ...extra };
}

/** Writes and deletes as one unit: all of it is stored, or none. */
export async function writeMany(user: AuthUser, projectId: number, changes: FileChangeSet, ai?: AiPersonality | null) {
  await requireProject(user, projectId, "write");
  const attributed = attributedAi(user, ai);
  return applyFileChanges(projectId, changes, attributed, actorOf(user, attributed));
}

/** Moves a file, or a folder with everything under it. The target must not exist. */
export async function moveFile(user: AuthUser, projectId: number, from: string, to: string, ai?: AiPersonality | null): Promise<{ moved: string[] }> {
  await requireProject(user, projectId, "write");
  assertFilePath(from);
  assertFilePath(to);
  if (isUnder(to, from)) throw new AppError("BAD_REQUEST", `cannot move ${from} into itself`);
  const files = await fileRepository.listWithContent(projectId);
  const moving = files.filter((f) => isUnder(f.filePath, from));
  if (!moving.length) throw new AppError("NOT_FOUND", `No file or folder ${from} in project ${projectId}`);
  const targets = new Set(moving.map((f) => to + f.filePath.slice(from.length)));
  const clash = files.find((f) => targets.has(f.filePath) || isUnder(f.filePath, to) || isUnder(to, f.filePath));
  if (clash) throw new AppError("CONFLICT", `${to} already exists (${clash.filePath}); delete it first or pick another name`);
  const writes = moving.map((f) => ({
    path: to + f.filePath.slice(from.length),
    content: f.content ?? "",
    isExecutable: f.isExecutable,
    encoding: f.encoding === "base64" ? ("base64" as const) : ("utf8" as const),
    isEntryPoint: f.isEntryPoint,
    // The targets must still not exist when the move commits (someone may create one meanwhile).
    baseVersion: null,
  }));
  const attributed = attributedAi(user, ai);
  await applyFileChanges(
    projectId,
    { writes, deletes: moving.map((f) => f.filePath) },
    attributed,
    actorOf(user, attributed, { description: `move ${from} to ${to}` }),
  );
  return { moved: writes.map((w) => w.path) };
}

/** Deletes a file, or a folder with everything under it. */
export async function deleteFile(user: AuthUser, projectId: number, path: string): Promise<{ deleted: string[] }> {
  await requireProject(user, projectId, "write");
  assertFilePath(path);
  const doomed = (await fileRepository.listMeta(projectId)).filter((f) => isUnder(f.filePath, path)).map((f) => f.filePath);
  if (!doomed.length) throw new AppError("NOT_FOUND", `No file or folder ${path} in project ${projectId}`);
  await applyFileChanges(projectId, { writes: [], deletes: doomed }, null, actorOf(user, null, { description: `delete ${path}` }));
  return { deleted: doomed };
}

async function writeFilesAndRead(user: AuthUser, projectId: number, changes: FileChangeSet, ai: AiPersonality | null | undefined, path: string) {
  await writeMany(user, projectId, changes, ai);
  return fileRepository.find(projectId, path);
}

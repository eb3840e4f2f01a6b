import type { Actor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { type FileMeta, type FileRecord, fileRepository } from "@/server/repositories/file-repository";
import type { ChangeAuthor } from "@/server/services/checkpoints/checkpoint-draft";
import { requireProject } from "@/server/services/projects/project-access";
import { applyFileChanges, type FileChangeSet, type FileWriteSettings, type FileWrite } from "./apply-file-changes";
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

export async function writeFile(actor: Actor, projectId: number, write: FileWrite, settings: FileWriteSettings): Promise<FileRecord> {
  return (await writeFilesAndRead(actor, projectId, { writes: [write], deletes: [] }, write.path, settings)) as FileRecord;
}

export async function createFile(actor: Actor, projectId: number, write: FileWrite, settings: FileWriteSettings): Promise<FileRecord> {
  await requireProject(actor.user, projectId, "write");
  if (await fileRepository.find(projectId, assertFilePath(write.path)))
    throw new AppError("CONFLICT", `${write.path} already exists; write it instead, or pick another name`);
  // A create racing another create of the same path: the second is refused by the store too.
  return writeFile(actor, projectId, { ...write, baseVersion: null }, settings);
}

/**
 * Who a change is recorded as in the history: the AI personality if one acted, else the person in
 * the IDE (a session) or through the API (a key). Each call is one batch: an IDE save is one checkpoint.
 */
export function changeAuthorOf({ user, ai }: Actor, extra: Partial<ChangeAuthor> = {}): ChangeAuthor {
  return { userId: user.id, aiPersonality: ai, source: ai ? "ai" : user.via === "session" ? "ide" : "api", ...extra };
}

/** Writes and deletes as one unit: all of it is stored, or none. */
export async function writeMany(actor: Actor, projectId: number, changes: FileChangeSet, settings: FileWriteSettings) {
  await requireProject(actor.user, projectId, "write");
  return applyFileChanges(projectId, changes, actor.ai, settings, changeAuthorOf(actor));
}

/** Moves a file, or a folder with everything under it. The target must not exist. */
export async function moveFile(actor: Actor, projectId: number, from: string, to: string, settings: FileWriteSettings): Promise<{ moved: string[] }> {
  await requireProject(actor.user, projectId, "write");
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
  await applyFileChanges(
    projectId,
    { writes, deletes: moving.map((f) => f.filePath) },
    actor.ai,
    settings,
    changeAuthorOf(actor, { description: `move ${from} to ${to}` }),
  );
  return { moved: writes.map((w) => w.path) };
}

/** Deletes a file, or a folder with everything under it. */
export async function deleteFile(user: AuthUser, projectId: number, path: string, settings: FileWriteSettings): Promise<{ deleted: string[] }> {
  await requireProject(user, projectId, "write");
  assertFilePath(path);
  const doomed = (await fileRepository.listMeta(projectId)).filter((f) => isUnder(f.filePath, path)).map((f) => f.filePath);
  if (!doomed.length) throw new AppError("NOT_FOUND", `No file or folder ${path} in project ${projectId}`);
  await applyFileChanges(projectId, { writes: [], deletes: doomed }, null, settings, changeAuthorOf({ user, ai: null }, { description: `delete ${path}` }));
  return { deleted: doomed };
}

async function writeFilesAndRead(actor: Actor, projectId: number, changes: FileChangeSet, path: string, settings: FileWriteSettings) {
  await writeMany(actor, projectId, changes, settings);
  return fileRepository.find(projectId, path);
}

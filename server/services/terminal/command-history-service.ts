import type { AuthUser } from "@/server/auth/auth-user";
import { commandHistoryRepository } from "@/server/repositories/command-history-repository";
import { requireProject } from "@/server/services/projects/project-access";

/** Entries kept per user and project; older ones are deleted as new ones arrive. */
export const COMMAND_HISTORY_KEEP = 500;

// History belongs to whoever may run commands in the project (owner, admin): a reader of a
// public project has no command line there, and another user's project answers NOT_FOUND.

export async function listCommandHistory(user: AuthUser, projectId: number, limit: number): Promise<string[]> {
  await requireProject(user, projectId, "write");
  return commandHistoryRepository.list(user.id, projectId, Math.min(limit, COMMAND_HISTORY_KEEP));
}

/** Records a command the user ran; repeating the previous command adds nothing (bash's ignoredups). */
export async function addCommandHistory(user: AuthUser, projectId: number, command: string): Promise<{ added: boolean }> {
  await requireProject(user, projectId, "write");
  if ((await commandHistoryRepository.latest(user.id, projectId)) === command) return { added: false };
  await commandHistoryRepository.append(user.id, projectId, command, COMMAND_HISTORY_KEEP);
  return { added: true };
}

export async function clearCommandHistory(user: AuthUser, projectId: number): Promise<{ deleted: number }> {
  await requireProject(user, projectId, "write");
  return { deleted: await commandHistoryRepository.clear(user.id, projectId) };
}

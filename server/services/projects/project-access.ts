import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { type ProjectRecord, projectRepository } from "@/server/repositories/project-repository";

/**
 * The project if this caller may read (owner, admin, or public) or change (owner, admin) it.
 * Anything else answers NOT_FOUND with the same message as a missing id, so existence never leaks.
 */
export async function requireProject(user: AuthUser, projectId: number, mode: "read" | "write"): Promise<ProjectRecord> {
  const project = await projectRepository.findById(projectId);
  const isOwner = project?.userId === user.id;
  const isAdmin = user.role === "admin";
  const allowed = project && (isOwner || isAdmin || (mode === "read" && project.isPublic));
  if (!allowed) throw new AppError("NOT_FOUND", `Project ${projectId} not found`);
  return project;
}

/**
 * requireProject(user, id, "write") that also records the access (lastAccessedAt) in the same
 * database statement: an execution's first and only read of its project.
 */
export async function requireProjectForUse(user: AuthUser, projectId: number): Promise<ProjectRecord> {
  const project = await projectRepository.touchOwned(projectId, user.role === "admin" ? null : user.id);
  if (!project) throw new AppError("NOT_FOUND", `Project ${projectId} not found`);
  return project;
}

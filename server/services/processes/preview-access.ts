import { resolveCaller } from "@/server/auth/resolve-caller";
import { AppError } from "@/server/errors/app-error";
import type { PreviewTarget } from "@/server/preview/preview-proxy";
import { requireProject } from "@/server/services/project-access";
import { liveProcesses } from "./live-processes";

/**
 * Whether a request to a preview listener may see it: the project's owner (or an admin, as
 * everywhere in the app) by session cookie or by API key with projects:read, while the process
 * runs. Anyone else is told nothing (the listener answers 404 as for a missing preview).
 */
export async function authorizePreview(headers: Headers, target: PreviewTarget): Promise<boolean> {
  const { user } = await resolveCaller(headers);
  if (!user || !user.scopes.includes("projects:read")) return false;
  try {
    await requireProject(user, target.projectId, "write");
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return false;
    throw err;
  }
  return liveProcesses().get(target.processId)?.projectId === target.projectId;
}

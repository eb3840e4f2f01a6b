import { createHash } from "node:crypto";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { AppError } from "@/server/errors/app-error";
import { onlyAppCookies } from "@/server/preview/proxy-headers";
import type { PreviewTarget } from "@/server/preview/preview-proxy";
import { requireProject } from "@/server/services/project-access";
import { liveProcesses } from "./live-processes";

/**
 * A page load through a dev server is dozens of requests (Vite serves every module on its own):
 * a grant is remembered for a few seconds per credential and project, so each does not cost two
 * database lookups. Only grants are kept; a revoked key or a demoted user loses the preview
 * within GRANT_TTL_MS. Refusals are always computed afresh.
 */
const GRANT_TTL_MS = 5_000;
const MAX_GRANTS = 1_000;
const grants = new Map<string, number>();

function grantKey(headers: Headers, projectId: number): string | null {
  const authorization = headers.get("authorization");
  const cookies = authorization ? "" : onlyAppCookies(headers.get("cookie") ?? "");
  if (!authorization && !cookies) return null;
  return createHash("sha256")
    .update(`${projectId}\n${authorization ?? ""}\n${cookies}`)
    .digest("hex");
}

async function mayOpen(headers: Headers, projectId: number): Promise<boolean> {
  const { user } = await resolveCaller(headers);
  if (!user || !user.scopes.includes("projects:read")) return false;
  try {
    await requireProject(user, projectId, "write");
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return false;
    throw err;
  }
}

/**
 * Whether a request to a preview listener may see it: the project's owner (or an admin, as
 * everywhere in the app) by session cookie or by API key with projects:read, while the process
 * runs. Anyone else is told nothing (the listener answers 404 as for a missing preview).
 */
export async function authorizePreview(headers: Headers, target: PreviewTarget): Promise<boolean> {
  if (liveProcesses().get(target.processId)?.projectId !== target.projectId) return false;
  const key = grantKey(headers, target.projectId);
  if (!key) return false;
  const now = Date.now();
  const until = grants.get(key);
  if (until !== undefined && until > now) return true;
  if (!(await mayOpen(headers, target.projectId))) {
    grants.delete(key);
    return false;
  }
  if (grants.size >= MAX_GRANTS) grants.clear();
  grants.set(key, now + GRANT_TTL_MS);
  return true;
}

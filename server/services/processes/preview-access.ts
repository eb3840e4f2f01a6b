import { createHash } from "node:crypto";
import { bearerToken } from "@/server/auth/api-key-format";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import type { PreviewCredentials, ServedPreview } from "@/server/preview/preview-proxy";
import type { PreviewGrant } from "@/server/preview/preview-request-rules";
import {
  COOKIE_TTL_SECONDS,
  HANDOFF_TTL_SECONDS,
  type PreviewScope,
  previewTokenKey,
  signPreviewToken,
  verifyPreviewToken,
} from "@/server/preview/preview-token";
import { authSecret } from "@/server/process/startup-settings";
import { authenticateApiKey } from "@/server/services/users/api-key-service";
import { requireProject } from "@/server/services/projects/project-access";
import { activeUser } from "@/server/services/users/user-service";
import { processRepository } from "@/server/repositories/process-repository";
import { liveProcesses } from "./live-processes";

// Who may open a preview, and what they may do there (PREVIEW.md, "Authentication"). The app's
// session cookie opens no preview: a browser holds a cookie of that one preview, minted from a
// short-lived hand-off token the IDE asks the app for; scripts send an API key.

/**
 * A page load through a dev server is dozens of requests (Vite serves every module on its own):
 * a grant is remembered for a few seconds per credential and preview, so each does not cost two
 * database lookups. Only grants are kept; a revoked key or a demoted user loses the preview
 * within GRANT_TTL_MS. Refusals are always computed afresh.
 */
const GRANT_TTL_MS = 5_000;
const MAX_GRANTS = 1_000;
const grants = new Map<string, { grant: PreviewGrant; until: number }>();

let cachedKey: { secret: string; key: Buffer } | null = null;
/** The preview token key, derived from the app's secret (server/main.ts publishes it before anything runs). */
function tokenKey(): Buffer {
  const secret = authSecret() ?? "";
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: previewTokenKey(secret) };
  return cachedKey.key;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** What the user's scopes allow on a preview: reading needs projects:read, anything else executions:run. */
function scopesOf(user: AuthUser): PreviewScope[] {
  const scopes: PreviewScope[] = [];
  if (user.scopes.includes("projects:read")) scopes.push("read");
  if (user.scopes.includes("executions:run")) scopes.push("run");
  return scopes;
}

async function mayOpen(user: AuthUser | null, projectId: number): Promise<boolean> {
  if (!user) return false;
  try {
    await requireProject(user, projectId, "write");
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return false;
    throw err;
  }
}

/** The process runs here, or (a preview reached through this instance) still runs on the instance named. */
async function isLive(preview: ServedPreview): Promise<boolean> {
  if (liveProcesses().get(preview.target.processId)?.projectId === preview.target.projectId) return true;
  return preview.heldBy !== undefined && (await processRepository.runningOn(preview.target.processId)) === preview.heldBy;
}

async function grantFor(credentials: PreviewCredentials, preview: ServedPreview): Promise<PreviewGrant | null> {
  if (credentials.authorization) {
    const key = bearerToken(credentials.authorization);
    if (!key) return null;
    let user: AuthUser;
    try {
      user = await authenticateApiKey(key);
    } catch (err) {
      if (err instanceof AppError) return null;
      throw err;
    }
    const scopes = scopesOf(user);
    if (!scopes.includes("read") || !(await mayOpen(user, preview.target.projectId))) return null;
    return { via: "api_key", scopes };
  }
  for (const value of credentials.cookies) {
    const claims = verifyPreviewToken(tokenKey(), value, "cookie", nowSeconds());
    if (!claims || claims.processId !== preview.target.processId || claims.slot !== preview.slot) continue;
    const user = await activeUser(claims.userId);
    if (!user || user.sessionVersion !== claims.sessionVersion || !(await mayOpen(user, preview.target.projectId))) continue;
    const now = scopesOf(user);
    const scopes = claims.scopes.filter((s) => now.includes(s));
    if (scopes.length) return { via: "preview_cookie", scopes };
  }
  return null;
}

/**
 * What a request to a preview may do: the project's owner (or an admin, as everywhere in the app)
 * by this preview's cookie or by API key, while the process runs. Anyone else is told nothing (the
 * listener answers 404 as for a missing preview).
 */
export async function authorizePreview(credentials: PreviewCredentials, preview: ServedPreview): Promise<PreviewGrant | null> {
  if (!(await isLive(preview))) return null;
  const key = createHash("sha256")
    .update(`${preview.target.processId}\n${preview.slot}\n${credentials.authorization ?? ""}\n${credentials.cookies.join("\n")}`)
    .digest("hex");
  const now = Date.now();
  const remembered = grants.get(key);
  if (remembered && remembered.until > now) return remembered.grant;
  const grant = await grantFor(credentials, preview);
  if (!grant) {
    grants.delete(key);
    return null;
  }
  if (grants.size >= MAX_GRANTS) grants.clear();
  grants.set(key, { grant, until: now + GRANT_TTL_MS });
  return grant;
}

/** A hand-off token from the IDE, exchanged at the preview for the value of its cookie; null when it does not open this preview. */
export async function redeemPreviewHandoff(token: string, preview: ServedPreview): Promise<{ value: string; maxAgeSeconds: number } | null> {
  if (!(await isLive(preview))) return null;
  const claims = verifyPreviewToken(tokenKey(), token, "handoff", nowSeconds());
  if (!claims || claims.processId !== preview.target.processId || claims.slot !== preview.slot) return null;
  const user = await activeUser(claims.userId);
  if (!user || user.sessionVersion !== claims.sessionVersion || !(await mayOpen(user, preview.target.projectId))) return null;
  const scopes = claims.scopes.filter((s) => scopesOf(user).includes(s));
  if (!scopes.length) return null;
  const expiresAt = nowSeconds() + COOKIE_TTL_SECONDS;
  return { value: signPreviewToken(tokenKey(), { ...claims, kind: "cookie", scopes, expiresAt }), maxAgeSeconds: COOKIE_TTL_SECONDS };
}

/**
 * A short-lived token that opens one running preview for this browser user (bound to the process,
 * its slot and the user, with "run" only from executions:run). API keys do not get one: they send
 * Authorization on the preview itself, and a key's revocation must not outlive it in a cookie.
 */
export async function previewHandoffToken(user: AuthUser, processId: number, slot: number): Promise<{ token: string; expiresAt: Date }> {
  if (user.via !== "session")
    throw new AppError("FORBIDDEN", "Preview links are for browser sessions; an API key opens the preview URL with Authorization: Bearer");
  const account = await activeUser(user.id);
  if (!account) throw new AppError("UNAUTHORIZED", "Sign in again");
  const scopes = scopesOf(user);
  if (!scopes.includes("read")) throw new AppError("FORBIDDEN", "This account cannot read previews");
  const expiresAt = nowSeconds() + HANDOFF_TTL_SECONDS;
  return {
    token: signPreviewToken(tokenKey(), { kind: "handoff", processId, slot, userId: user.id, sessionVersion: account.sessionVersion, scopes, expiresAt }),
    expiresAt: new Date(expiresAt * 1000),
  };
}

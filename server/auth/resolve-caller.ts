import { bearerToken } from "@/server/auth/api-key-format";
import type { AuthUser } from "@/server/auth/auth-user";
import { sessionClaimFromHeaders } from "@/server/auth/session-from-headers";
import { AppError } from "@/server/errors/app-error";
import { authenticateApiKey } from "@/server/services/users/api-key-service";
import { sessionUser } from "@/server/services/users/user-service";

export interface Caller {
  user: AuthUser | null;
  /** Why there is no user when the request tried to authenticate (bad key, stale session). */
  authError: string | null;
}

/**
 * Who is calling, from request headers alone (tRPC, REST, pages and previews share it). An
 * Authorization header wins over a cookie, so a chat service key is never mistaken for a
 * browser session; a present but bad header is an error, not anonymous access.
 */
export async function resolveCaller(headers: Headers): Promise<Caller> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const key = bearerToken(authorization);
    if (!key) return { user: null, authError: "Authorization header must be 'Bearer <api key>'" };
    try {
      return { user: await authenticateApiKey(key), authError: null };
    } catch (e) {
      if (e instanceof AppError) return { user: null, authError: e.message };
      throw e;
    }
  }
  return sessionCaller(headers);
}

/** The caller by session cookie alone (the shell WebSocket accepts no API key). */
export async function sessionCaller(headers: Headers): Promise<Caller> {
  const claim = await sessionClaimFromHeaders(headers);
  if (claim.status === "none") return { user: null, authError: null };
  if (claim.status === "invalid") return { user: null, authError: claim.reason };
  const session = await sessionUser(claim.userId, claim.sessionVersion);
  return "user" in session ? { user: session.user, authError: null } : { user: null, authError: session.reason };
}

import { bearerToken } from "@/server/auth/api-key-format";
import type { AuthUser } from "@/server/auth/auth-user";
import { sessionUserIdFromHeaders } from "@/server/auth/session-from-headers";
import { AppError } from "@/server/errors/app-error";
import { authenticateApiKey } from "@/server/services/api-key-service";
import { sessionUser } from "@/server/services/user-service";

export interface Caller {
  user: AuthUser | null;
  /** Why there is no user when the request tried to authenticate (bad key, stale session). */
  authError: string | null;
}

/**
 * Who is calling, from request headers alone (tRPC, REST and WebSocket share it). An
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
  const userId = await sessionUserIdFromHeaders(headers);
  if (userId === null) return { user: null, authError: null };
  const user = await sessionUser(userId);
  return user ? { user, authError: null } : { user: null, authError: "Your session refers to an account that no longer exists; sign in again" };
}

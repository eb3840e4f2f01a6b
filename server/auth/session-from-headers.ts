import { decode } from "next-auth/jwt";
import { sessionCookieFrom } from "@/server/auth/session-cookie";
import { authSecret, publicUrl } from "@/server/process/startup-settings";

export type SessionClaim =
  | { status: "none" }
  /** A cookie was there but names nobody we can trust (ambiguous, forged, expired). */
  | { status: "invalid"; reason: string }
  | { status: "valid"; userId: number; sessionVersion: number };

/**
 * What the next-auth session cookie in these headers claims, before the database is asked.
 * Never throws on a hostile Cookie header (session-cookie.ts).
 */
export async function sessionClaimFromHeaders(headers: Headers): Promise<SessionClaim> {
  const secure = publicUrl()?.startsWith("https://") ?? false;
  const cookie = sessionCookieFrom(headers.get("cookie"), secure);
  if (cookie.kind === "none") return { status: "none" };
  if (cookie.kind === "ambiguous") {
    return { status: "invalid", reason: `More than one session cookie was sent (${cookie.names.join(", ")}); sign in again` };
  }
  let token;
  try {
    token = await decode({ token: cookie.value, secret: authSecret() ?? "" });
  } catch {
    token = null;
  }
  const id = Number(token?.uid);
  if (!token || !Number.isInteger(id) || id <= 0)
    return { status: "invalid", reason: "Your session is not valid (expired or signed elsewhere); sign in again" };
  // Tokens minted before session versions existed carry none: version 0, ended by the first bump.
  const version = token.sv === undefined ? 0 : Number(token.sv);
  if (!Number.isInteger(version) || version < 0) return { status: "invalid", reason: "Your session is not valid; sign in again" };
  return { status: "valid", userId: id, sessionVersion: version };
}

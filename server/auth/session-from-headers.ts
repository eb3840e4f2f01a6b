import { getToken } from "next-auth/jwt";

/** The user id in a next-auth session cookie carried by these headers, or null. */
export async function sessionUserIdFromHeaders(headers: Headers): Promise<number | null> {
  const cookieHeader = headers.get("cookie");
  if (!cookieHeader) return null;
  const cookies: Record<string, string> = {};
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  const secureCookie = process.env.NEXTAUTH_URL?.startsWith("https://") ?? false;
  // headers: {} on purpose: getToken would otherwise also read a Bearer header as a session JWT.
  const token = await getToken({ req: { cookies, headers: {} } as never, secureCookie, secret: process.env.NEXTAUTH_SECRET });
  const id = Number(token?.uid);
  return Number.isInteger(id) && id > 0 ? id : null;
}

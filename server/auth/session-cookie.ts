import { parseCookie } from "cookie";

/**
 * The session cookie's name (next-auth-options.ts sets it). Over https it carries the `__Host-`
 * prefix: the browser then accepts it only Secure, host-only (no Domain) and for Path=/, so no
 * sibling or parent host (a preview domain under the app's, say) can set one the app would read.
 * Plain http (a single-host install on localhost) cannot use prefixes: there the origin guard and
 * the duplicate rule below are what keep a planted cookie from counting.
 */
export function sessionCookieName(secure: boolean): string {
  return `${secure ? "__Host-" : ""}next-auth.session-token`;
}

export type SessionCookie =
  | { kind: "none" }
  | { kind: "one"; name: string; value: string }
  /** More than one cookie that next-auth would read as the session: we pick none of them. */
  | { kind: "ambiguous"; names: string[] };

/**
 * The session cookie in a Cookie header, never throwing whatever the header holds.
 *
 * A previewed page shares the app's host name, so it can set cookies the browser then sends to
 * the app (cookies are not isolated by port): `x=%` (undecodable) must be ignored, and a second
 * `next-auth.session-token` (another Path, or set by the page) must not be able to choose who the
 * viewer is signed in as. The browser orders duplicates by path length and age, not by who set
 * them, so no rule picks the right one: two candidates mean no session.
 *
 * Candidates are the expected name and its chunks (`<name>.0`, `<name>.1`: next-auth reads
 * every cookie whose name starts with the session name and concatenates the chunks). Our tokens
 * are far below next-auth's 4 KB chunking size, so a chunk is never ours: any chunk makes the
 * session ambiguous. Other prefix variants (`__Host-` on http, the plain or `__Secure-` name on https)
 * are never read, by us or by next-auth, so they are ignored rather than refused: a deployment that
 * moved from http to https would otherwise lock out every browser still holding the old cookie.
 */
export function sessionCookieFrom(cookieHeader: string | null, secure: boolean): SessionCookie {
  if (!cookieHeader) return { kind: "none" };
  const name = sessionCookieName(secure);
  const found: { name: string; value: string }[] = [];
  // Pairs are split here (a value cannot hold ';'), and each pair is parsed by `cookie`, which
  // trims, unquotes and decodes, and leaves a value it cannot decode as it is instead of throwing.
  for (const pair of cookieHeader.split(";")) {
    const parsed = parseCookie(pair);
    for (const [key, value] of Object.entries(parsed)) {
      if (value === undefined) continue;
      if (key === name || (key.startsWith(`${name}.`) && /^\d+$/.test(key.slice(name.length + 1)))) found.push({ name: key, value });
    }
  }
  if (found.length === 0) return { kind: "none" };
  const only = found[0];
  if (found.length === 1 && only && only.name === name) return { kind: "one", name, value: only.value };
  return { kind: "ambiguous", names: found.map((c) => c.name) };
}

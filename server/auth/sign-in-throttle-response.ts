// next-auth v4 answers every failed credentials sign-in with 401 and a redirect URL carrying the
// thrown error's message; it has no way to say "429, retry after N s". The authorize callback
// therefore throws a marked error, and the route handler rewrites that one answer.

const MARKER = "PANTHEON_THROTTLED:";

/** The error authorize() throws when the sign-in throttle refuses. */
export function throttledSignInError(retryAfterSeconds: number, message: string): Error {
  return new Error(`${MARKER}${Math.max(1, Math.ceil(retryAfterSeconds))}:${message}`);
}

/** The throttle refusal carried by next-auth's redirect URL, if that is what it carries. */
export function throttleInRedirect(redirectUrl: string | null): { retryAfterSeconds: number; message: string } | null {
  if (!redirectUrl) return null;
  let error: string | null;
  try {
    error = new URL(redirectUrl, "http://localhost").searchParams.get("error");
  } catch {
    return null;
  }
  const match = error ? /^PANTHEON_THROTTLED:(\d+):(.*)$/s.exec(error) : null;
  if (!match?.[1]) return null;
  return { retryAfterSeconds: Number(match[1]), message: match[2] ?? "too many sign-in attempts" };
}

/**
 * Rewrites next-auth's answer to a credentials sign-in: a throttle refusal becomes 429 with
 * Retry-After. For next-auth's browser client (`json=true`) the body keeps its shape, `{ url }`,
 * with the readable message as the URL's `error`, so `signIn()` returns it with status 429.
 * Any other answer passes unchanged.
 */
export async function withSignInThrottleStatus(response: Response, signInPage: string): Promise<Response> {
  if (response.status !== 401 && response.status !== 302) return response;
  let redirect = response.headers.get("location");
  const json = !redirect && (response.headers.get("content-type") ?? "").includes("application/json");
  if (json) {
    try {
      redirect = ((await response.clone().json()) as { url?: unknown }).url as string | null;
    } catch {
      return response;
    }
  }
  const throttle = throttleInRedirect(typeof redirect === "string" ? redirect : null);
  if (!throttle) return response;
  const reason = throttle.message.replace(/; retry in \d+ s$/, "");
  const message = `${reason.charAt(0).toUpperCase()}${reason.slice(1)}; try again in ${humanDelay(throttle.retryAfterSeconds)}`;
  const headers = new Headers({ "retry-after": String(throttle.retryAfterSeconds), "cache-control": "no-store" });
  // Cookies next-auth set on the way (csrf, callback) stay as they were.
  for (const cookie of response.headers.getSetCookie()) headers.append("set-cookie", cookie);
  if (json) {
    headers.set("content-type", "application/json");
    const url = `${signInPage}?${new URLSearchParams({ error: message })}`;
    return new Response(JSON.stringify({ url }), { status: 429, headers });
  }
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(`${message}\n`, { status: 429, headers });
}

function humanDelay(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

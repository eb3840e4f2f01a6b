// The app's cross-site request forgery rule, as pure logic over the few request facts it needs.
//
// A previewed page (code a user or an AI wrote) is same-*site* with the app on a single-host
// install, so SameSite=Lax cookies ride along on its requests. Cookies therefore prove nothing
// about who sent a request; the browser's Origin (or Sec-Fetch-Site) does, and a page cannot
// forge either. Every state-changing request that could be authenticated by a cookie must come
// from the app's own origin. API keys are unaffected: a browser cannot attach an Authorization
// header to a cross-site request without a CORS preflight, which the app never grants.

export interface RequestFacts {
  method: string;
  path: string;
  /** The Origin header, or null when absent ("null" is a value: sandboxed frames, data: URLs). */
  origin: string | null;
  secFetchSite: string | null;
  hasCookie: boolean;
  hasAuthorization: boolean;
  contentType: string | null;
  /** A declared body: Content-Length above 0 or any Transfer-Encoding. */
  hasBody: boolean;
  /** An HTTP upgrade (WebSocket): state-changing whatever its method. */
  upgrade: boolean;
}

export type Verdict =
  | { allowed: true }
  | { allowed: false; status: 403; reason: "cross_origin" | "origin_missing"; message: string }
  | { allowed: false; status: 415; reason: "not_json"; message: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Routes whose bodies are JSON by contract (the seed's REST API). */
const JSON_BODY_PREFIX = "/api/sandbox/";

/** scheme://host[:port] in canonical form (lower case, default port dropped), or null. */
export function canonicalOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.origin;
  } catch {
    return null;
  }
}

export function judgeRequest(facts: RequestFacts, appOrigin: string): Verdict {
  if (!facts.upgrade && SAFE_METHODS.has(facts.method.toUpperCase())) return { allowed: true };
  // A bearer key decides alone (resolveCaller never falls back to the cookie when an
  // Authorization header is present), and no cross-site page can send one.
  if (facts.hasAuthorization) return { allowed: true };

  const sameOrigin = isSameOrigin(facts, appOrigin);
  if (sameOrigin === false) {
    return {
      allowed: false,
      status: 403,
      reason: "cross_origin",
      message: `Cross-origin request refused: state-changing requests must come from ${appOrigin} (or use an API key)`,
    };
  }
  if (sameOrigin === null && facts.hasCookie) {
    // No Origin and no Sec-Fetch-Site: not a current browser. With a cookie it could still be a
    // replayed session; without one there is nothing to forge, so it goes on as anonymous.
    return {
      allowed: false,
      status: 403,
      reason: "origin_missing",
      message: "A request with a session cookie must carry an Origin header naming this app (or use an API key)",
    };
  }
  if (facts.hasBody && facts.path.startsWith(JSON_BODY_PREFIX) && !isJson(facts.contentType)) {
    return { allowed: false, status: 415, reason: "not_json", message: "Request bodies must be JSON: send Content-Type: application/json" };
  }
  return { allowed: true };
}

/** true / false when the browser told us; null when it said nothing. */
function isSameOrigin(facts: RequestFacts, appOrigin: string): boolean | null {
  if (facts.origin !== null) return canonicalOrigin(facts.origin) === canonicalOrigin(appOrigin);
  if (facts.secFetchSite !== null) return facts.secFetchSite.trim().toLowerCase() === "same-origin";
  return null;
}

/** application/json with any parameters (charset=…), case-insensitive; nothing else. */
export function isJson(contentType: string | null): boolean {
  if (!contentType) return false;
  const essence = contentType.split(";")[0]?.trim().toLowerCase();
  return essence === "application/json";
}

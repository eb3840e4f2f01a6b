import type { PreviewScope } from "./preview-token";

// What an authenticated request to a preview may do (issue 18 point 4). Pure: the proxy feeds it
// the request's method and headers and the grant its credentials earned.

/** How a request proved who it is: an API key in Authorization, or this preview's own cookie. */
export interface PreviewGrant {
  via: "api_key" | "preview_cookie";
  scopes: readonly PreviewScope[];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface PreviewRequestFacts {
  method: string;
  /** A WebSocket handshake: a channel that sends anything, so it counts as unsafe. */
  upgrade: boolean;
  origin: string | undefined;
  secFetchSite: string | undefined;
  secFetchMode: string | undefined;
}

/**
 * Why this request is refused (403), or null when it may pass:
 * - reading (GET, HEAD, OPTIONS) needs "read"; anything else, and WebSocket handshakes, "run"
 *   (executions:run: a POST into a dev server runs code there);
 * - unsafe requests and handshakes must come from the preview's own origin: a page of another
 *   preview, of the app, or of any site cannot drive this dev server with the owner's cookie.
 *   Browsers always send Origin on those; no Origin is accepted only from an API key (a script);
 * - with the cookie, a subresource or fetch that the browser says comes from another origin
 *   (Fetch Metadata: Sec-Fetch-Site same-site or cross-site, not a navigation) is refused too, so
 *   one preview's page cannot read or poke another's through the cookies they share by host name.
 */
export function previewRequestRefusal(facts: PreviewRequestFacts, ownOrigin: string, grant: PreviewGrant): string | null {
  const safe = !facts.upgrade && SAFE_METHODS.has(facts.method.toUpperCase());
  if (!grant.scopes.includes(safe ? "read" : "run"))
    return safe ? "this credential cannot read the preview" : `${facts.upgrade ? "a WebSocket" : facts.method} needs the executions:run scope`;
  const origin = facts.origin?.toLowerCase();
  if (!safe) {
    if (origin === undefined) return grant.via === "api_key" ? null : "a request that changes state must carry the preview's own Origin";
    if (origin !== ownOrigin.toLowerCase()) return `requests that change state are accepted only from ${ownOrigin}`;
    return null;
  }
  if (grant.via === "preview_cookie") {
    const site = facts.secFetchSite?.toLowerCase();
    if ((site === "same-site" || site === "cross-site") && facts.secFetchMode?.toLowerCase() !== "navigate")
      return `only pages of ${ownOrigin} may load from it`;
  }
  return null;
}

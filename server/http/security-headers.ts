import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface CspOptions {
  nonce: string;
  /** Next's development server evaluates modules (React refresh, source maps). */
  dev: boolean;
  /** Origins the IDE may frame: the previews, never the app itself. */
  frameSources: readonly string[];
}

/**
 * The app's Content-Security-Policy. Scripts run only from the app's own files or inline with this
 * response's nonce (Next puts it on every script it renders): HTML that slipped through a view
 * (a project name, a file name, program output) cannot run. Monaco's language workers are
 * modules served by the app ('self'); blob: covers workers a future Monaco may build in memory.
 */
export function contentSecurityPolicy({ nonce, dev, frameSources }: CspOptions): string {
  const directives: Array<[string, ...string[]]> = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, ...(dev ? ["'unsafe-eval'"] : [])],
    // React and Monaco set style attributes and inject <style> at run time.
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    // The IDE plays a project's audio and video from data: URLs (BinaryFileView); media runs no script.
    ["media-src", "'self'", "data:"],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'"],
    ["worker-src", "'self'", "blob:"],
    ["frame-src", ...(frameSources.length ? frameSources : ["'none'"])],
    ["frame-ancestors", "'self'"],
    ["form-action", "'self'"],
    ["base-uri", "'none'"],
    ["object-src", "'none'"],
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/**
 * Headers every answer carries, Next's pages and the routes served before Next alike
 * (server/http/direct-routes.ts): no type sniffing, no referrer to other sites, no framing by them.
 */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "same-origin"],
  ["X-Frame-Options", "SAMEORIGIN"],
];

/**
 * Sets the static headers and the policy on the response and, with a fresh nonce, on the request: Next reads a
 * request's `content-security-policy` header to find the nonce for the scripts it renders. A
 * client's own header of that name is overwritten, so no request chooses its nonce.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, options: Omit<CspOptions, "nonce">): void {
  const policy = contentSecurityPolicy({ ...options, nonce: randomBytes(16).toString("base64") });
  req.headers["content-security-policy"] = policy;
  delete req.headers["content-security-policy-report-only"];
  res.setHeader("Content-Security-Policy", policy);
  for (const [name, value] of STATIC_SECURITY_HEADERS) res.setHeader(name, value);
}

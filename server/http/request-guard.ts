import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { sessionClaimFromHeaders } from "@/server/auth/session-from-headers";
import { headersOf } from "./node-headers";
import { judgeRequest, type RequestFacts, type Verdict } from "./origin-rule";

type Refusal = Exclude<Verdict, { allowed: true }>;

/**
 * The one place every HTTP request and upgrade passes before Next, tRPC, next-auth, the REST
 * routes or a WebSocket route sees it: the origin rule (origin-rule.ts) for all of them, so a
 * route added later is covered without remembering to be.
 */
export function createRequestGuard(options: { appOrigin: string; log: Logger }) {
  const log = options.log.child({ component: "request-guard" });

  function check(req: IncomingMessage, upgrade: boolean): Refusal | null {
    const verdict = judgeRequest(requestFacts(req, upgrade), options.appOrigin);
    if (verdict.allowed) return null;
    void logRefusal(req, verdict);
    return verdict;
  }

  async function logRefusal(req: IncomingMessage, verdict: Refusal) {
    let userId: number | null = null;
    try {
      // The id the cookie claims, unchecked against the database: enough for a log line.
      const claim = await sessionClaimFromHeaders(headersOf(req));
      userId = claim.status === "valid" ? claim.userId : null;
    } catch {
      // Whose cookie it was is a detail of the log line; the refusal stands without it.
    }
    log.warn(
      {
        event: "security.request_refused",
        reason: verdict.reason,
        status: verdict.status,
        userId,
        origin: header(req, "origin"),
        secFetchSite: header(req, "sec-fetch-site"),
        method: req.method,
        path: (req.url ?? "/").split("?")[0],
      },
      `request refused (${verdict.reason})`,
    );
  }

  return {
    /** true when the request may go on; otherwise the refusal has been written. */
    http(req: IncomingMessage, res: ServerResponse): boolean {
      const refusal = check(req, false);
      if (!refusal) return true;
      const body = JSON.stringify({ error: { code: refusal.status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "FORBIDDEN", message: refusal.message } });
      res.writeHead(refusal.status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
        "cache-control": "no-store",
      });
      res.end(body);
      // Any body the client is still sending is not ours to read.
      req.resume();
      return false;
    },
    upgrade(req: IncomingMessage, socket: Duplex): boolean {
      const refusal = check(req, true);
      if (!refusal) return true;
      const body = `${refusal.message}\n`;
      socket.end(
        `HTTP/1.1 ${refusal.status} Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return false;
    },
  };
}

export function requestFacts(req: IncomingMessage, upgrade: boolean): RequestFacts {
  const declared = req.headers["content-length"];
  return {
    method: req.method ?? "GET",
    path: (req.url ?? "/").split("?")[0] ?? "/",
    origin: header(req, "origin"),
    secFetchSite: header(req, "sec-fetch-site"),
    hasCookie: Boolean(req.headers.cookie),
    hasAuthorization: req.headers.authorization !== undefined,
    contentType: header(req, "content-type"),
    hasBody: req.headers["transfer-encoding"] !== undefined || (declared !== undefined && declared.trim() !== "0"),
    upgrade,
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : Array.isArray(value) ? (value[0] ?? null) : null;
}

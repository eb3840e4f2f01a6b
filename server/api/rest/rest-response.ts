import { getLogger } from "@/server/logging/logger";
import { toPublicError } from "@/server/errors/public-error";

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/**
 * Service errors as the seed's REST clients expect them: {error: {code, message}}, Retry-After
 * when trying again helps. Every 5xx carries a request_id (also the X-Request-Id header) that its
 * log line carries too; internal failures answer a fixed message, the real one is only logged.
 */
export function errorResponse(err: unknown, req?: Request): Response {
  const pub = toPublicError(err);
  const body = {
    error: {
      code: pub.code,
      message: pub.message,
      ...(pub.issues ? { issues: pub.issues } : {}),
      ...(pub.requestId ? { request_id: pub.requestId } : {}),
      ...(pub.conflicts ? { conflicts: pub.conflicts.map((c) => ({ path: c.path, base_version: c.baseVersion, current_version: c.currentVersion })) } : {}),
    },
  };
  const response = json(body, pub.status);
  if (pub.retryAfterSeconds !== undefined) response.headers.set("retry-after", String(pub.retryAfterSeconds));
  if (pub.requestId) {
    response.headers.set("x-request-id", pub.requestId);
    const where = req ? { method: req.method, path: new URL(req.url).pathname } : {};
    if (pub.code === "INTERNAL") getLogger().error({ err, requestId: pub.requestId, ...where }, "REST request failed");
    else getLogger().warn({ err, requestId: pub.requestId, status: pub.status, ...where }, "REST request unavailable");
  }
  return response;
}

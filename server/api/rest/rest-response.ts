import { ZodError } from "zod";
import { AppError, HTTP_STATUS } from "@/server/errors/app-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { getLogger } from "@/server/logging/logger";

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/** Service errors as the seed's REST clients expect them: {error: {code, message}}, Retry-After on 429. */
export function errorResponse(err: unknown): Response {
  const cause = fromSandboxError(err);
  if (cause instanceof ZodError) {
    const issues = cause.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    return json(
      { error: { code: "BAD_REQUEST", message: `Invalid input: ${issues.map((i) => `${i.path || "(body)"} ${i.message}`).join("; ")}`, issues } },
      400,
    );
  }
  if (cause instanceof AppError) {
    const response = json({ error: { code: cause.code, message: cause.message } }, HTTP_STATUS[cause.code]);
    const retry = cause.details?.retryAfterSeconds;
    if (retry !== undefined) response.headers.set("retry-after", String(retry));
    return response;
  }
  getLogger().error({ err }, "REST request failed");
  return json({ error: { code: "INTERNAL", message: "Internal server error" } }, 500);
}

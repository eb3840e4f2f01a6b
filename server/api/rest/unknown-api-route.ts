import { AppError } from "@/server/errors/app-error";
import { errorResponse } from "./rest-response";

/**
 * Any path under /api/ that no route serves (app/api/[[...path]]/route.ts, the least specific
 * route Next matches): a JSON 404 in the API's error shape, not Next's HTML page, whatever the method.
 */
export function unknownApiRoute(req: Request): Response {
  const path = new URL(req.url).pathname.slice(0, 200);
  return errorResponse(new AppError("NOT_FOUND", `No API route ${req.method} ${path}; every REST route is listed at /api/openapi.json`));
}

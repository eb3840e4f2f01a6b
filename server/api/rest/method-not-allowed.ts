import { AppError } from "@/server/errors/app-error";
import { errorResponse } from "./rest-response";

// Next answers a method a route file does not export with an empty 405 (no body, no Allow), which
// a REST client cannot tell from a proxy's error. Every route file under app/api/ therefore
// exports the methods it does not serve through otherMethods(): a JSON 405 in the API's error
// shape with the Allow header, and OPTIONS answering 204 with the same Allow.
// server/api/rest/api-fallbacks.int.test.ts fails for a route file that leaves a method out.

export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

type Served = Partial<Record<RouteMethod, unknown>>;
/** The methods a route file must still export: all but those it serves, and HEAD where Next derives it from GET. */
type Unserved<S extends Served> = Exclude<RouteMethod, keyof S | ("GET" extends keyof S ? "HEAD" : never)>;
type Fallback = (req: Request) => Response;

/** The Allow header of a route serving these methods (HEAD with GET, OPTIONS always). */
export function allowHeader(served: readonly string[]): string {
  const allowed = new Set<string>([...served, "OPTIONS"]);
  if (allowed.has("GET")) allowed.add("HEAD");
  return ROUTE_METHODS.filter((m) => allowed.has(m)).join(", ");
}

/** The JSON 405 in the API's error shape, with the Allow header of the path. */
export function methodNotAllowed(req: Request, allow: string): Response {
  const path = new URL(req.url).pathname.slice(0, 200);
  const response = errorResponse(new AppError("METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${path}; it answers ${allow}`));
  response.headers.set("allow", allow);
  return response;
}

/** Handlers for every method `served` lacks: `export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET, POST });` */
export function otherMethods<S extends Served>(served: S): Record<Unserved<S>, Fallback> {
  const names = Object.keys(served);
  const allow = allowHeader(names);
  const refuse: Fallback = (req) => methodNotAllowed(req, allow);
  const options: Fallback = () => new Response(null, { status: 204, headers: { allow } });
  const handlers: Partial<Record<RouteMethod, Fallback>> = {};
  for (const method of ROUTE_METHODS) {
    if (names.includes(method) || (method === "HEAD" && names.includes("GET"))) continue;
    handlers[method] = method === "OPTIONS" ? options : refuse;
  }
  return handlers as Record<Unserved<S>, Fallback>;
}

import { allowHeader, methodNotAllowed } from "./method-not-allowed";
import { unknownApiRoute } from "./unknown-api-route";

// next-auth owns /api/auth/* through one catch-all route, and answers a path it has no action
// for with a text/plain 400 ("This action with HTTP GET is not supported") or, for a known action
// with extra segments (/api/auth/session/x), as if they were not there. The paths it serves are
// few and fixed (next-auth v4 core/index.js), so anything else gets the API's JSON 404, and a
// known path asked with a method it does not take the JSON 405 with Allow (OPTIONS: 204 with
// Allow), before next-auth runs.

type Action = { methods: readonly ("GET" | "POST")[]; segments: readonly number[] };

/** next-auth v4's actions: the methods each answers and how many path segments it takes (with `:provider`). */
const ACTIONS: Readonly<Record<string, Action>> = {
  providers: { methods: ["GET"], segments: [1] },
  session: { methods: ["GET", "POST"], segments: [1] }, // POST: useSession().update()
  csrf: { methods: ["GET"], segments: [1] },
  signin: { methods: ["GET", "POST"], segments: [1, 2] },
  signout: { methods: ["GET", "POST"], segments: [1] },
  callback: { methods: ["GET", "POST"], segments: [2] },
  "verify-request": { methods: ["GET"], segments: [1] },
  error: { methods: ["GET"], segments: [1] },
  _log: { methods: ["POST"], segments: [1] },
};

/**
 * The answer for a request next-auth has no answer for, or null to let next-auth answer it.
 * `segments` is the route's `nextauth` parameter, the very one next-auth reads its action from.
 */
export function nextAuthRefusal(req: Request, segments: readonly string[]): Response | null {
  const name = segments[0] ?? "";
  const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!action || !action.segments.includes(segments.length)) return unknownApiRoute(req);
  const allow = allowHeader(action.methods);
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: { allow } });
  const method = req.method === "HEAD" ? "GET" : req.method;
  if (!(action.methods as readonly string[]).includes(method)) return methodNotAllowed(req, allow);
  return null;
}

/** The `nextauth` segments of the catch-all's context (a Promise of params since Next 15). */
export async function nextAuthSegments(ctx: unknown): Promise<string[]> {
  const params = (await (ctx as { params?: Promise<{ nextauth?: unknown }> } | undefined)?.params) ?? {};
  return Array.isArray(params.nextauth) ? params.nextauth.filter((s): s is string => typeof s === "string") : [];
}

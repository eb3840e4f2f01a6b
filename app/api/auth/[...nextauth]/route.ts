import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/next-auth-options";
import { withSignInThrottleStatus } from "@/server/auth/sign-in-throttle-response";
import { methodNotAllowed } from "@/server/api/rest/method-not-allowed";
import { nextAuthRefusal, nextAuthSegments } from "@/server/api/rest/next-auth-paths";
import { publicUrl } from "@/server/process/startup-settings";

// next-auth v4 types its App Router handler loosely; it is a (req, ctx) => Response.
const nextAuth = NextAuth(authOptions) as (req: Request, ctx: unknown) => Promise<Response>;

/** next-auth for the paths it serves; the API's JSON 404 / 405 for any other (next-auth-paths.ts). */
async function handler(req: Request, ctx: unknown): Promise<Response> {
  return nextAuthRefusal(req, await nextAuthSegments(ctx)) ?? nextAuth(req, ctx);
}

/** next-auth takes GET and POST only: other methods get the JSON 404 or 405 (OPTIONS: 204 with Allow). */
async function refuse(req: Request, ctx: unknown): Promise<Response> {
  return nextAuthRefusal(req, await nextAuthSegments(ctx)) ?? methodNotAllowed(req, "GET, HEAD, POST, OPTIONS");
}

/** A throttled credentials sign-in answers 429 with Retry-After (next-auth alone says 401). */
async function POST(req: Request, ctx: unknown): Promise<Response> {
  const response = await handler(req, ctx);
  if (!new URL(req.url).pathname.endsWith("/callback/credentials")) return response;
  return withSignInThrottleStatus(response, `${publicUrl() ?? ""}/signin`);
}

export { handler as GET, POST, refuse as PUT, refuse as PATCH, refuse as DELETE, refuse as OPTIONS };

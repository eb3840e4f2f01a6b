import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/next-auth-options";
import { withSignInThrottleStatus } from "@/server/auth/sign-in-throttle-response";
import { otherMethods } from "@/server/api/rest/method-not-allowed";
import { liveEnv } from "@/lib/env";

// next-auth v4 types its App Router handler loosely; it is a (req, ctx) => Response.
const handler = NextAuth(authOptions) as (req: Request, ctx: unknown) => Promise<Response>;

/** A throttled credentials sign-in answers 429 with Retry-After (next-auth alone says 401). */
async function POST(req: Request, ctx: unknown): Promise<Response> {
  const response = await handler(req, ctx);
  if (!new URL(req.url).pathname.endsWith("/callback/credentials")) return response;
  return withSignInThrottleStatus(response, `${liveEnv("NEXTAUTH_URL") ?? ""}/signin`);
}

export { handler as GET, POST };

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET: handler, POST });

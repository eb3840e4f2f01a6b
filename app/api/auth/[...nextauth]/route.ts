import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/next-auth-options";

// next-auth v4 types its App Router handler loosely; it is a (req, ctx) => Response.
const handler = NextAuth(authOptions) as (req: Request, ctx: unknown) => Promise<Response>;
export { handler as GET, handler as POST };

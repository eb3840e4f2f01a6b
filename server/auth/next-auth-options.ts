import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { CLIENT_ADDRESS_HEADER, clientThrottleKey } from "@/server/auth/client-address";
import { sessionCookieName } from "@/server/auth/session-cookie";
import { throttledSignInError } from "@/server/auth/sign-in-throttle-response";
import { AppError } from "@/server/errors/app-error";
import { getLogger } from "@/server/logging/logger";
import { endSessions, verifyCredentials } from "@/server/services/users/user-service";
import { authSecret, publicUrl } from "@/server/process/startup-settings";

// Email + password only, so sessions are JWT cookies (next-auth's credentials provider does not
// use database sessions). The cookie is httpOnly, SameSite=Lax, and Secure with the __Host-
// prefix whenever the public URL (NEXTAUTH_URL) is https. The token carries the user id and the user's session
// version: role, existence, disabling and the version are read from the database on each
// request, so a demotion, a deletion, a sign-out or a password change is immediate.
const secureCookies = publicUrl()?.startsWith("https://") ?? false;

export const authOptions: NextAuthOptions = {
  // Read when the route bundle loads, after server/main.ts published it (a generated one when
  // NEXTAUTH_SECRET is unset); next-auth would otherwise look in process.env.
  secret: authSecret(),
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  // The session cookie as tightly scoped as the deployment allows (session-cookie.ts): over https
  // `__Host-` (Secure, host-only, Path=/); SameSite=Lax either way, so a link from the chat service
  // into the IDE arrives signed in, while the origin guard (server/http/) refuses cross-origin writes.
  cookies: {
    sessionToken: { name: sessionCookieName(secureCookies), options: { httpOnly: true, sameSite: "lax", path: "/", secure: secureCookies } },
  },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) return null;
        const headers = (req.headers ?? {}) as Record<string, string | undefined>;
        try {
          const user = await verifyCredentials(credentials.email, credentials.password, clientThrottleKey(headers[CLIENT_ADDRESS_HEADER]));
          return user ? { id: String(user.id), email: user.email, name: user.name, sessionVersion: user.sessionVersion } : null;
        } catch (e) {
          // next-auth turns a throw into a 401 redirect carrying the message; the route handler
          // (app/api/auth/[...nextauth]/route.ts) turns this one into 429 with Retry-After.
          if (e instanceof AppError && e.code === "TOO_MANY_REQUESTS") throw throttledSignInError(e.details?.retryAfterSeconds ?? 60, e.message);
          throw e;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = Number(user.id);
        token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: Number(token.uid) } };
    },
  },
  events: {
    // A JWT cannot be taken back, so signing out moves the user's session version on: this
    // token, and every other session of the user, stops being accepted (sign-out everywhere).
    async signOut({ token }) {
      const uid = Number(token?.uid);
      if (!Number.isInteger(uid) || uid <= 0) return;
      try {
        await endSessions(uid, token.sv === undefined ? 0 : Number(token.sv));
      } catch (e) {
        getLogger().error({ err: String(e), userId: uid }, "could not end sessions at sign-out");
      }
    },
  },
};

import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { verifyCredentials } from "@/server/services/user-service";

// Email + password only, so sessions are JWT cookies (next-auth's credentials provider does not
// use database sessions). The cookie is httpOnly, SameSite=Lax, and Secure with the __Secure-
// prefix whenever NEXTAUTH_URL is https. The token carries only the user id: role and
// existence are read from the database on each request, so a demotion or deletion is immediate.
export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        if (!credentials?.email || !credentials.password) return null;
        const user = await verifyCredentials(credentials.email, credentials.password);
        return user ? { id: String(user.id), email: user.email, name: user.name } : null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.uid = Number(user.id);
      return token;
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: Number(token.uid) } };
    },
  },
};

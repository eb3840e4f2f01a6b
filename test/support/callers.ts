import { encode } from "next-auth/jwt";
import type { ApiScope } from "@/server/auth/auth-user";
import { callerWithHeaders, keyFor } from "@/test/fixtures/accounts";

/** A session cookie as next-auth mints it at sign-in (`sv`: the user's session version then). */
export async function sessionCookie(uid: number, sv = 0): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { uid, sv }, secret: process.env.NEXTAUTH_SECRET ?? "" })}`;
}

/** A tRPC caller signed in with a session cookie, as the browser is. */
export async function sessionCaller(uid: number) {
  return callerWithHeaders({ cookie: await sessionCookie(uid) });
}

/** A tRPC caller with an API key of these scopes, as the chat service is. */
export async function keyCaller(
  user: { id: number; role: string },
  scopes: ApiScope[],
  defaultAiPersonality?: "geppo" | "c24" | "gemini" | "llama" | "mistral",
) {
  const key = await keyFor(user, { name: "test", scopes, defaultAiPersonality });
  return { caller: await callerWithHeaders({ authorization: `Bearer ${key}` }), key };
}

import { randomUUID } from "node:crypto";
import { createContext } from "@/server/api/context";
import { createCaller } from "@/server/api/root";
import { createApiKey } from "@/server/services/users/api-key-service";
import type { AuthUser } from "@/server/auth/auth-user";
import { userRepository } from "@/server/repositories/user-repository";
import { createUser, sessionUser } from "@/server/services/users/user-service";

/** A fresh user (unique email) for one test. */
export async function makeUser(role: "user" | "admin" = "user") {
  const email = `u-${randomUUID()}@test.local`;
  const password = "correct horse battery staple";
  const user = await createUser({ email, password }, role);
  return { ...user, password };
}

/** A tRPC caller that goes through the real context, exactly as an HTTP request would. */
export async function callerWithHeaders(headers: Record<string, string> = {}) {
  return createCaller(await createContext({ headers: new Headers(headers) }));
}

export async function keyFor(user: { id: number; role: string }, opts: Parameters<typeof createApiKey>[1] = { name: "test" }) {
  return (await createApiKey(user, opts)).key;
}

/** The AuthUser a current session of this user resolves to (for calling services directly). */
export async function sessionAuthUser(userId: number): Promise<AuthUser> {
  const record = await userRepository.findById(userId);
  const session = await sessionUser(userId, record?.sessionVersion ?? 0);
  if (!("user" in session)) throw new Error(session.reason);
  return session.user;
}

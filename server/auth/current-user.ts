import "server-only";
import { headers } from "next/headers";
import type { AuthUser } from "@/server/auth/auth-user";
import { resolveCaller } from "@/server/auth/resolve-caller";

/** The signed-in user for a server component, resolved exactly as the API resolves it. */
export async function currentUser(): Promise<AuthUser | null> {
  return (await resolveCaller(await headers())).user;
}

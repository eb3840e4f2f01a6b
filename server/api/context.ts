import { resolveCaller } from "@/server/auth/resolve-caller";

export async function createContext(opts: { headers: Headers }) {
  const caller = await resolveCaller(opts.headers);
  return { headers: opts.headers, user: caller.user, authError: caller.authError };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

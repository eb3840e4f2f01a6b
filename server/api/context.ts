import { TRPCError } from "@trpc/server";
import { getEnv } from "@/lib/env";
import { actorFor } from "@/server/auth/actor";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { AppError } from "@/server/errors/app-error";
import { fromDatabaseError } from "@/server/errors/from-database-error";

export async function createContext(opts: { headers: Headers }) {
  let caller;
  try {
    caller = await resolveCaller(opts.headers);
  } catch (e) {
    // Finding the caller reads the database; with it away the answer is a 503 with Retry-After
    // (tRPC runs no middleware for a failed context, so the mapping happens here).
    const mapped = fromDatabaseError(e);
    if (mapped instanceof AppError) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: mapped.message, cause: mapped });
    throw e;
  }
  // The actor (the caller and the AI personality acting for them: their key's default) is built
  // here, once per request; a procedure whose input names a personality narrows it (actingAi).
  // The configuration (lib/env.ts, parsed once per process) enters here with the request and is
  // passed down: procedures hand services the settings they need; services never read it.
  return { headers: opts.headers, config: getEnv(), user: caller.user, actor: caller.user ? actorFor(caller.user) : null, authError: caller.authError };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

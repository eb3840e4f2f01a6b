import { TRPCError } from "@trpc/server";
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
  return { headers: opts.headers, user: caller.user, authError: caller.authError };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

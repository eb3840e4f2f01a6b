import { randomUUID } from "node:crypto";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { AiPersonality } from "@/lib/ai-personalities";
import { actingAs } from "@/server/auth/actor";
import type { ApiScope } from "@/server/auth/auth-user";
import { AppError, type AppErrorCode } from "@/server/errors/app-error";
import { fromDatabaseError } from "@/server/errors/from-database-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { conflictsOf, INTERNAL_MESSAGE } from "@/server/errors/public-error";
import { getLogger } from "@/server/logging/logger";
import type { Context } from "./context";
import { countRejectedPaths } from "./rejected-paths";

const TRPC_CODE: Record<AppErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  TIMEOUT: "TIMEOUT",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** Service errors, and the sandbox engine's (which cannot import AppError) translated. */
function appErrorOf(cause: unknown): AppError | null {
  const translated = fromDatabaseError(fromSandboxError(cause));
  return translated instanceof AppError ? translated : null;
}

/** Stands in for an internal failure once it is logged: the caller gets only this id. */
class LoggedInternalError extends Error {
  constructor(readonly requestId: string) {
    super(INTERNAL_MESSAGE);
    this.name = "LoggedInternalError";
  }
}

/** Rate-limit refusals say when to retry (REST sends the same number as Retry-After). */
function retryAfterOf(cause: unknown): number | null {
  return cause instanceof AppError ? (cause.details?.retryAfterSeconds ?? null) : null;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodIssues = error.cause instanceof ZodError ? error.cause.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })) : null;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // Unknown failures leave as a generic message; the detail goes to the log, not the caller.
      message: internal
        ? INTERNAL_MESSAGE
        : zodIssues
          ? `Invalid input: ${zodIssues.map((i) => `${i.path.join(".") || "(input)"} ${i.message}`).join("; ")}`
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodIssues,
        retryAfterSeconds: retryAfterOf(error.cause),
        /** CONFLICT of a write with a base version: each refused file with its current version. */
        conflicts: conflictsOf(error.cause) ?? null,
        requestId: error.cause instanceof LoggedInternalError ? error.cause.requestId : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// next() never throws: branch on result.ok and translate service errors into tRPC's codes.
const errorMapping = t.middleware(async ({ next, path, type, ctx }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  countRejectedPaths(cause, ctx.user);
  const appError = appErrorOf(cause);
  if (appError && appError.code !== "INTERNAL") {
    throw new TRPCError({ code: TRPC_CODE[appError.code], message: appError.message, cause: appError });
  }
  // Internal failures (unknown errors, AppError INTERNAL, the engine's INTERNAL) are logged with
  // a request id and the caller gets that id, never the message, as REST does.
  if (appError || result.error.code === "INTERNAL_SERVER_ERROR") {
    const requestId = randomUUID();
    getLogger().error({ path, type, requestId, err: cause ?? result.error }, "procedure failed");
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: INTERNAL_MESSAGE, cause: new LoggedInternalError(requestId) });
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError ?? "Sign in, or send 'Authorization: Bearer <api key>'" });
  return next({ ctx: { ...ctx, user: ctx.user, actor: ctx.actor } });
});

/**
 * After `.input()` of a procedure whose input may name `aiPersonality`: `ctx.actor` is then the
 * caller with that personality (naming none keeps the context's actor: the key's default), so the
 * procedure passes `ctx.actor` down and nothing below works the personality out again.
 */
export const actingAi = t.middleware(({ ctx, input, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError ?? "Sign in, or send 'Authorization: Bearer <api key>'" });
  const named = (input as { aiPersonality?: AiPersonality | null } | undefined)?.aiPersonality;
  return next({ ctx: { actor: actingAs(ctx.actor, named) } });
});

/** Managing credentials needs a person at a browser: an API key cannot mint or list keys. */
export const sessionProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.via !== "session") throw new TRPCError({ code: "FORBIDDEN", message: "This action needs a signed-in session, not an API key" });
  return next();
});

export function requireScope(scope: ApiScope) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (!ctx.user.scopes.includes(scope)) throw new TRPCError({ code: "FORBIDDEN", message: `This API key lacks the ${scope} scope` });
    return next();
  });
}

/** Every one of the scopes (an AI tool that writes files and then runs a command needs both). */
export function requireScopes(...scopes: ApiScope[]) {
  return protectedProcedure.use(({ ctx, next }) => {
    const missing = scopes.filter((s) => !ctx.user.scopes.includes(s));
    if (missing.length)
      throw new TRPCError({ code: "FORBIDDEN", message: `This API key lacks the ${missing.join(", ")} scope${missing.length > 1 ? "s" : ""}` });
    return next();
  });
}

// Non-admins learn nothing about admin procedures: they answer NOT_FOUND, as a missing page would.
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin" || !ctx.user.scopes.includes("admin")) throw new TRPCError({ code: "NOT_FOUND", message: "Not found" });
  return next();
});

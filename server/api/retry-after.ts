import type { TRPCError } from "@trpc/server";
import { AppError } from "@/server/errors/app-error";

/** Retry-After for a response whose errors include a rate-limit refusal (the longest wait wins). */
export function retryAfterHeader(errors: readonly TRPCError[]): Record<string, string> {
  const waits = errors
    .map((e) => (e.cause instanceof AppError ? e.cause.details?.retryAfterSeconds : undefined))
    .filter((s): s is number => typeof s === "number");
  return waits.length ? { "retry-after": String(Math.max(...waits)) } : {};
}

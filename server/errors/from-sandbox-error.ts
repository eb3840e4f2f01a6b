import { isSandboxError, type SandboxErrorCode } from "@/server/sandbox/errors";
import { AppError, type AppErrorCode } from "./app-error";

interface Mapping {
  code: AppErrorCode;
  /** Said instead of the engine's message, when that message names internals (container ids). */
  message?: string;
  /** Set when trying again is the right move; REST sends it as Retry-After, tRPC as data. */
  retryAfterSeconds?: number;
}

// Every engine code has a row: `satisfies Record<SandboxErrorCode, …>` makes a new code in
// server/sandbox/errors.ts a compile error here until someone decides what callers see.
export const SANDBOX_ERROR_MAPPING = {
  BAD_REQUEST: { code: "BAD_REQUEST" },
  CAPACITY: { code: "UNAVAILABLE", retryAfterSeconds: 5 },
  DOCKER_UNAVAILABLE: { code: "UNAVAILABLE", retryAfterSeconds: 10 },
  NOT_READY: { code: "UNAVAILABLE", retryAfterSeconds: 10 },
  TIMEOUT: { code: "TIMEOUT" },
  CANCELLED: { code: "BAD_REQUEST" },
  SYNC_FAILED: { code: "UNAVAILABLE", retryAfterSeconds: 1 },
  // The container died or vanished (OOM, killed, engine restart). Files live in the database, so
  // the next call gets a fresh container: a retryable 503, not an internal error.
  CONTAINER_LOST: {
    code: "UNAVAILABLE",
    message: "The project's container stopped unexpectedly; its files are kept. Try again: a new container will be started.",
    retryAfterSeconds: 1,
  },
  INTERNAL: { code: "INTERNAL" },
} as const satisfies Record<SandboxErrorCode, Mapping>;

/** The engine's typed errors in the API's vocabulary; anything else passes through unchanged. */
export function fromSandboxError(err: unknown): unknown {
  if (!isSandboxError(err)) return err;
  const mapping: Mapping = SANDBOX_ERROR_MAPPING[err.code];
  return new AppError(mapping.code, mapping.message ?? err.message, {
    sandboxCode: err.code,
    engineMessage: err.message,
    ...(mapping.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: mapping.retryAfterSeconds }),
  });
}

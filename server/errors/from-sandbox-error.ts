import { isSandboxError } from "@/server/sandbox/errors";
import { AppError, type AppErrorCode } from "./app-error";

const CODE: Record<string, AppErrorCode> = {
  BAD_REQUEST: "BAD_REQUEST",
  CAPACITY: "UNAVAILABLE",
  DOCKER_UNAVAILABLE: "UNAVAILABLE",
  NOT_READY: "UNAVAILABLE",
  TIMEOUT: "TIMEOUT",
  CANCELLED: "BAD_REQUEST",
  SYNC_FAILED: "UNAVAILABLE",
  INTERNAL: "INTERNAL",
};

/** The engine's typed errors in the API's vocabulary; anything else passes through unchanged. */
export function fromSandboxError(err: unknown): unknown {
  if (!isSandboxError(err)) return err;
  return new AppError(CODE[err.code] ?? "INTERNAL", err.message, { sandboxCode: err.code });
}

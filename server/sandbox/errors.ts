// Typed engine errors: the API layer maps `code` to its own error type (AppError / TRPCError);
// the engine never knows about HTTP or tRPC.
export type SandboxErrorCode =
  | "BAD_REQUEST" // refused before any container work (bad path, unknown language, timeout over ceiling)
  | "CAPACITY" // SANDBOX_MAX_CONCURRENT leases are in use
  | "DOCKER_UNAVAILABLE" // the container runtime does not answer
  | "TIMEOUT"
  | "CANCELLED"
  | "NOT_READY" // engine not started, stopping, or posture check failed
  | "SYNC_FAILED" // files could not be moved in or out of the container
  | "CONTAINER_LOST" // the container stopped or vanished under us
  | "INTERNAL";

export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A pre-created container could not be claimed because someone else holds it (another app
 * replica claimed it first) or it is gone. The pool drops it, leaves it to its holder, and tries
 * another; any other claim failure leaves the claim's outcome unknown.
 */
export class ClaimLostError extends SandboxError {
  constructor(
    readonly containerId: string,
    why: string,
  ) {
    super("CONTAINER_LOST", `container ${containerId} could not be claimed: ${why}`);
  }
}

export function isSandboxError(err: unknown, code?: SandboxErrorCode): err is SandboxError {
  return err instanceof SandboxError && (code === undefined || err.code === code);
}

/** Errors that mean "cannot talk to the Docker daemon", as opposed to "Docker said no". */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && ["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EACCES", "EHOSTUNREACH", "ENOTFOUND"].includes(code);
}

export function abortError(signal: AbortSignal | undefined): SandboxError {
  const reason: unknown = signal?.reason;
  return new SandboxError("CANCELLED", reason instanceof Error ? reason.message : "cancelled");
}

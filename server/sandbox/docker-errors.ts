import { isConnectionError, SandboxError } from "./errors";

export function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

/** Connection failures become DOCKER_UNAVAILABLE so callers can tell "down" from "refused". */
export function wrap(err: unknown, what: string): Error {
  if (err instanceof SandboxError) return err;
  if (isConnectionError(err)) return new SandboxError("DOCKER_UNAVAILABLE", `Docker is unreachable (${what})`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

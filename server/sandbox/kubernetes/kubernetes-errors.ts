import { isConnectionError, isSandboxError, SandboxError } from "../errors";

/** The HTTP status of a client-node ApiException, or undefined for anything else. */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** The API server's own words (a Status' message), capped: it can be long. */
function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  let text = "";
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      text = body;
    }
  }
  const message = parsed && typeof parsed === "object" && "message" in parsed ? parsed.message : undefined;
  if (typeof message === "string") text = message;
  return (text || (err instanceof Error ? err.message : String(err))).slice(0, 500);
}

/**
 * "Cannot reach the API server" becomes DOCKER_UNAVAILABLE (the code the engine and health use
 * for "the container back end is down"); a refusal keeps its status and message.
 */
export function wrapKubernetesError(err: unknown, what: string): Error {
  if (err instanceof SandboxError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (isConnectionError(err) || isConnectionError(cause) || (err as { type?: unknown } | null)?.type === "system")
    return new SandboxError("DOCKER_UNAVAILABLE", `Kubernetes API server is unreachable (${what})`, { cause: err });
  const status = apiStatus(err);
  if (status === 503 || status === 504 || status === 429)
    return new SandboxError("DOCKER_UNAVAILABLE", `Kubernetes API server refused ${what} with HTTP ${status}: ${apiMessage(err)}`, { cause: err });
  if (status !== undefined)
    return new SandboxError("INTERNAL", `Kubernetes API server refused ${what} with HTTP ${status}: ${apiMessage(err)}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Worth another try of an idempotent call: no answer (unreachable, our deadline), or an API server
 * that says it is overloaded or failing (429, 500, 502, 503, 504). A refusal (4xx) never is.
 */
export function isTransientKubernetesError(err: unknown): boolean {
  if (isSandboxError(err)) return err.code === "DOCKER_UNAVAILABLE";
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (isConnectionError(err) || isConnectionError(cause) || (err as { type?: unknown } | null)?.type === "system") return true;
  const status = apiStatus(err);
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Rejects with DOCKER_UNAVAILABLE when the API server does not answer in time. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SandboxError("DOCKER_UNAVAILABLE", `Kubernetes API server did not answer ${what} within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A refusal or failure answered by the API: `{"error": {"code", "message"}}` with its HTTP
 * status. `code` is the API's (BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, TOO_MANY_REQUESTS,
 * UNAVAILABLE…), or `HTTP_<status>` when something in between answered without that shape.
 */
export class SandboxApiError extends Error {
  override readonly name = "SandboxApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Each field that failed validation (400). */
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
    /** On a 5xx: quote it when reporting a problem; the server's log line carries it. */
    readonly requestId: string | null = null,
    /** On a 429 or 503: when trying again may succeed. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** Reads an error response (the body is consumed). */
  static async from(response: Response): Promise<SandboxApiError> {
    const text = await response.text();
    const retry = Number(response.headers.get("retry-after"));
    const retryAfterSeconds = Number.isFinite(retry) && response.headers.has("retry-after") ? retry : null;
    const requestId = response.headers.get("x-request-id");
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; issues?: unknown; request_id?: unknown } };
      const error = body.error;
      if (error && typeof error.code === "string" && typeof error.message === "string") {
        const issues = Array.isArray(error.issues) ? (error.issues as Array<{ path: string; message: string }>) : [];
        const id = typeof error.request_id === "string" ? error.request_id : requestId;
        return new SandboxApiError(response.status, error.code, error.message, issues, id, retryAfterSeconds);
      }
    } catch {
      // Not the API's JSON: a proxy or load balancer answered; keep the start of what it said.
    }
    return new SandboxApiError(response.status, `HTTP_${response.status}`, text.slice(0, 300) || response.statusText, [], requestId, retryAfterSeconds);
  }
}

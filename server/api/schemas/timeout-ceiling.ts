import { getEnv } from "@/lib/env";

// One source for the execution timeout's ceiling and the words that state it: the zod schemas at
// the API boundary say the configured SANDBOX_MAX_TIMEOUT, so a caller is never told a bound (such
// as the variable's own upper limit) that is not the real one. A zod refinement runs without the
// request's context, so this boundary module reads the configuration itself (one of the readers
// eslint.layers.mjs allows); services get the ceiling passed in (ExecutionSettings).

/** The configured ceiling of an execution's timeout, in seconds. */
export function maxTimeoutSeconds(): number {
  return getEnv().SANDBOX_MAX_TIMEOUT;
}

/** Follows the field name in a validation message: "timeout must be at most 300 seconds …". */
export function timeoutCeilingMessage(maxSeconds = maxTimeoutSeconds()): string {
  return `must be at most ${maxSeconds} seconds (the ceiling, SANDBOX_MAX_TIMEOUT); ask for ${maxSeconds} or less`;
}

import type { Env } from "@/lib/env";

/** The seed's limits (§ Rate Limiting); each field is read from the SANDBOX_RATE_* variable named beside it. */
export interface RateLimitConfig {
  /** SANDBOX_RATE_SANDBOXES_PER_USER: sandboxes running at once per user. */
  sandboxesPerUser: number;
  /** SANDBOX_RATE_CREATE_PER_MINUTE: sandboxes created per minute, all users together. */
  createPerMinute: number;
  /** SANDBOX_RATE_CREATE_PER_HOUR: sandboxes created per hour, all users together. */
  createPerHour: number;
  /** SANDBOX_RATE_CREATE_PER_USER_PER_MINUTE: sandboxes one user creates per minute. */
  createPerUserPerMinute: number;
  /** SANDBOX_RATE_CREATE_PER_USER_PER_HOUR: sandboxes one user creates per hour. */
  createPerUserPerHour: number;
  /** SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE */
  execPerProjectPerMinute: number;
  /** SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE */
  execPerUserPerMinute: number;
  /** SANDBOX_RATE_SIGNIN_FAILURES_PER_ACCOUNT: failed sign-ins per email in a window. */
  signInFailuresPerAccount: number;
  /** SANDBOX_RATE_SIGNIN_FAILURES_PER_CLIENT: failed sign-ins per client address in a window. */
  signInFailuresPerClient: number;
  /** SANDBOX_RATE_SIGNIN_WINDOW_SECONDS */
  signInWindowSeconds: number;
}

export const SEED_RATE_LIMITS: Readonly<RateLimitConfig> = Object.freeze({
  sandboxesPerUser: 5,
  createPerMinute: 20,
  createPerHour: 100,
  createPerUserPerMinute: 10,
  createPerUserPerHour: 50,
  execPerProjectPerMinute: 10,
  execPerUserPerMinute: 50,
  signInFailuresPerAccount: 10,
  signInFailuresPerClient: 50,
  signInWindowSeconds: 900,
});

type RateEnv = Pick<
  Env,
  | "SANDBOX_RATE_SANDBOXES_PER_USER"
  | "SANDBOX_RATE_CREATE_PER_MINUTE"
  | "SANDBOX_RATE_CREATE_PER_HOUR"
  | "SANDBOX_RATE_CREATE_PER_USER_PER_MINUTE"
  | "SANDBOX_RATE_CREATE_PER_USER_PER_HOUR"
  | "SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE"
  | "SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE"
  | "SANDBOX_RATE_SIGNIN_FAILURES_PER_ACCOUNT"
  | "SANDBOX_RATE_SIGNIN_FAILURES_PER_CLIENT"
  | "SANDBOX_RATE_SIGNIN_WINDOW_SECONDS"
>;

/** Maps the validated environment (lib/env) onto the config; validation itself stays in lib/env. */
export function rateLimitConfigFromEnv(env: RateEnv): RateLimitConfig {
  return {
    sandboxesPerUser: env.SANDBOX_RATE_SANDBOXES_PER_USER,
    createPerMinute: env.SANDBOX_RATE_CREATE_PER_MINUTE,
    createPerHour: env.SANDBOX_RATE_CREATE_PER_HOUR,
    createPerUserPerMinute: env.SANDBOX_RATE_CREATE_PER_USER_PER_MINUTE,
    createPerUserPerHour: env.SANDBOX_RATE_CREATE_PER_USER_PER_HOUR,
    execPerProjectPerMinute: env.SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE,
    execPerUserPerMinute: env.SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE,
    signInFailuresPerAccount: env.SANDBOX_RATE_SIGNIN_FAILURES_PER_ACCOUNT,
    signInFailuresPerClient: env.SANDBOX_RATE_SIGNIN_FAILURES_PER_CLIENT,
    signInWindowSeconds: env.SANDBOX_RATE_SIGNIN_WINDOW_SECONDS,
  };
}

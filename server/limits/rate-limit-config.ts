import type { Env } from "@/lib/env";

/** The seed's limits (§ Rate Limiting); each field is read from the SANDBOX_RATE_* variable named beside it. */
export interface RateLimitConfig {
  /** SANDBOX_RATE_SANDBOXES_PER_USER: sandboxes running at once per user. */
  sandboxesPerUser: number;
  /** SANDBOX_RATE_CREATE_PER_MINUTE: sandboxes created per minute, all users together. */
  createPerMinute: number;
  /** SANDBOX_RATE_CREATE_PER_HOUR: sandboxes created per hour, all users together. */
  createPerHour: number;
  /** SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE */
  execPerProjectPerMinute: number;
  /** SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE */
  execPerUserPerMinute: number;
}

export const SEED_RATE_LIMITS: Readonly<RateLimitConfig> = Object.freeze({
  sandboxesPerUser: 5,
  createPerMinute: 20,
  createPerHour: 100,
  execPerProjectPerMinute: 10,
  execPerUserPerMinute: 50,
});

type RateEnv = Pick<
  Env,
  | "SANDBOX_RATE_SANDBOXES_PER_USER"
  | "SANDBOX_RATE_CREATE_PER_MINUTE"
  | "SANDBOX_RATE_CREATE_PER_HOUR"
  | "SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE"
  | "SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE"
>;

/** Maps the validated environment (lib/env) onto the config; validation itself stays in lib/env. */
export function rateLimitConfigFromEnv(env: RateEnv): RateLimitConfig {
  return {
    sandboxesPerUser: env.SANDBOX_RATE_SANDBOXES_PER_USER,
    createPerMinute: env.SANDBOX_RATE_CREATE_PER_MINUTE,
    createPerHour: env.SANDBOX_RATE_CREATE_PER_HOUR,
    execPerProjectPerMinute: env.SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE,
    execPerUserPerMinute: env.SANDBOX_RATE_EXEC_PER_USER_PER_MINUTE,
  };
}

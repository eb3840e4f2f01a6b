import { z } from "zod";
import { type AlertPolicy, DEFAULT_POLICY } from "./alert-rules";
import { rawEnv } from "@/lib/env";

// Thresholds are configuration: each seed default can be overridden by an environment
// variable. A bad value is refused with the variable's name (start-up must stop on it), never
// silently replaced by the default.
const positive = z.coerce.number().positive().finite();
const schema = z.object({
  SANDBOX_ALERT_CPU_PERCENT: positive.optional(),
  SANDBOX_ALERT_MEMORY_MB: positive.optional(),
  SANDBOX_ALERT_ERROR_RATE: positive.max(1).optional(),
  SANDBOX_ALERT_EXECUTION_TIMEOUT_MS: positive.optional(),
  SANDBOX_ALERT_MAX_CONCURRENT: positive.optional(),
  SANDBOX_ALERT_WEBHOOK_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.url({ protocol: /^https?$/ }).optional()),
});

export interface AlertConfig {
  policy: AlertPolicy;
  webhookUrl: string | null;
}

export function alertConfigFromEnv(env: Record<string, string | undefined> = rawEnv()): AlertConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid ${issue?.path.join(".") ?? "alert setting"}: ${issue?.message ?? "bad value"}`);
  }
  const e = parsed.data;
  const d = DEFAULT_POLICY.thresholds;
  return {
    policy: {
      ...DEFAULT_POLICY,
      thresholds: {
        cpu_percent: e.SANDBOX_ALERT_CPU_PERCENT ?? d.cpu_percent,
        memory_mb: e.SANDBOX_ALERT_MEMORY_MB ?? d.memory_mb,
        error_rate: e.SANDBOX_ALERT_ERROR_RATE ?? d.error_rate,
        execution_time_ms: e.SANDBOX_ALERT_EXECUTION_TIMEOUT_MS ?? d.execution_time_ms,
        concurrent_sandboxes: e.SANDBOX_ALERT_MAX_CONCURRENT ?? d.concurrent_sandboxes,
      },
    },
    webhookUrl: e.SANDBOX_ALERT_WEBHOOK_URL ?? null,
  };
}

import type { Env } from "@/lib/env";
import { type AlertPolicy, type AlertThresholdEnv, alertThresholds, DEFAULT_POLICY } from "./alert-rules";

// Thresholds are configuration: lib/env.ts parses and validates them once, with the seed's
// defaults (a bad value stops start-up, naming the variable); this only shapes them as the
// alert monitor's policy.

export type AlertEnv = AlertThresholdEnv & Pick<Env, "SANDBOX_ALERT_WEBHOOK_URL">;

export interface AlertConfig {
  policy: AlertPolicy;
  webhookUrl: string | null;
}

export function alertConfigFrom(env: AlertEnv): AlertConfig {
  return {
    policy: { ...DEFAULT_POLICY, thresholds: alertThresholds(env) },
    webhookUrl: env.SANDBOX_ALERT_WEBHOOK_URL ?? null,
  };
}

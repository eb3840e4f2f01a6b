import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { DEFAULT_THRESHOLDS } from "./alert-rules";
import { alertConfigFrom } from "./alert-config";

// The thresholds are parsed once, by lib/env.ts; alert-config.ts only shapes them.
describe("alertConfigFrom", () => {
  it("defaults to the seed's thresholds and no webhook", () => {
    const c = alertConfigFrom(parseEnv({}));
    expect(c.policy.thresholds).toEqual({ cpu_percent: 80, memory_mb: 400, error_rate: 0.1, execution_time_ms: 30_000, concurrent_sandboxes: 50 });
    expect(c.policy.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(c.webhookUrl).toBeNull();
    expect(alertConfigFrom(parseEnv({ SANDBOX_ALERT_WEBHOOK_URL: "" })).webhookUrl).toBeNull();
  });

  it("takes overrides; the one parse refuses bad values by name", () => {
    const c = alertConfigFrom(parseEnv({ SANDBOX_ALERT_CPU_PERCENT: "90", SANDBOX_ALERT_WEBHOOK_URL: "https://hooks.example/x" }));
    expect(c.policy.thresholds.cpu_percent).toBe(90);
    expect(c.webhookUrl).toBe("https://hooks.example/x");
    expect(() => parseEnv({ SANDBOX_ALERT_CPU_PERCENT: "-1" })).toThrow(/SANDBOX_ALERT_CPU_PERCENT/);
    expect(() => parseEnv({ SANDBOX_ALERT_ERROR_RATE: "10" })).toThrow(/SANDBOX_ALERT_ERROR_RATE/);
    expect(() => parseEnv({ SANDBOX_ALERT_WEBHOOK_URL: "not a url" })).toThrow(/SANDBOX_ALERT_WEBHOOK_URL/);
    expect(() => parseEnv({ SANDBOX_ALERT_WEBHOOK_URL: "file:///etc/passwd" })).toThrow(/SANDBOX_ALERT_WEBHOOK_URL/);
  });
});

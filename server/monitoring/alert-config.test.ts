import { describe, expect, it } from "vitest";
import { alertConfigFromEnv } from "./alert-config";

describe("alertConfigFromEnv", () => {
  it("defaults to the seed's thresholds and no webhook", () => {
    const c = alertConfigFromEnv({});
    expect(c.policy.thresholds).toEqual({ cpu_percent: 80, memory_mb: 400, error_rate: 0.1, execution_time_ms: 30_000, concurrent_sandboxes: 50 });
    expect(c.webhookUrl).toBeNull();
    expect(alertConfigFromEnv({ SANDBOX_ALERT_WEBHOOK_URL: "  " }).webhookUrl).toBeNull();
  });

  it("takes overrides and refuses bad values by name", () => {
    const c = alertConfigFromEnv({ SANDBOX_ALERT_CPU_PERCENT: "90", SANDBOX_ALERT_WEBHOOK_URL: "https://hooks.example/x" });
    expect(c.policy.thresholds.cpu_percent).toBe(90);
    expect(c.webhookUrl).toBe("https://hooks.example/x");
    expect(() => alertConfigFromEnv({ SANDBOX_ALERT_CPU_PERCENT: "-1" })).toThrow(/SANDBOX_ALERT_CPU_PERCENT/);
    expect(() => alertConfigFromEnv({ SANDBOX_ALERT_ERROR_RATE: "10" })).toThrow(/SANDBOX_ALERT_ERROR_RATE/);
    expect(() => alertConfigFromEnv({ SANDBOX_ALERT_WEBHOOK_URL: "not a url" })).toThrow(/SANDBOX_ALERT_WEBHOOK_URL/);
    expect(() => alertConfigFromEnv({ SANDBOX_ALERT_WEBHOOK_URL: "file:///etc/passwd" })).toThrow(/SANDBOX_ALERT_WEBHOOK_URL/);
  });
});

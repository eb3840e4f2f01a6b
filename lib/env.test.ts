import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("applies the seed's defaults", () => {
    const env = parseEnv({});
    expect(env.SANDBOX_MAX_CONCURRENT).toBe(50);
    expect(env.SANDBOX_DEFAULT_TIMEOUT).toBe(30);
    expect(env.SANDBOX_MAX_FILE_SIZE).toBe(1_048_576);
    expect(env.SANDBOX_MAX_PROJECT_SIZE).toBe(104_857_600);
    expect(env.SANDBOX_CONTAINER_REGISTRY).toBe("pantheon-sandbox");
    expect(env.SANDBOX_METRICS_INTERVAL).toBe(5000);
    expect(env.SANDBOX_LOG_LEVEL).toBe("info");
    expect(env.SANDBOX_ALERT_WEBHOOK_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("names the variable that is wrong and what it got", () => {
    let caught: unknown;
    try {
      parseEnv({ SANDBOX_MAX_CONCURRENT: "lots", PORT: "70000" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const message = (caught as EnvError).message;
    expect(message).toContain("SANDBOX_MAX_CONCURRENT");
    expect(message).toContain('"lots"');
    expect(message).toContain("PORT");
  });

  it("refuses a default timeout above the ceiling", () => {
    expect(() => parseEnv({ SANDBOX_DEFAULT_TIMEOUT: "200", SANDBOX_MAX_TIMEOUT: "100" })).toThrow(/SANDBOX_DEFAULT_TIMEOUT/);
  });

  it("refuses a webhook that is not an http(s) URL and a non-postgres DATABASE_URL", () => {
    expect(() => parseEnv({ SANDBOX_ALERT_WEBHOOK_URL: "ftp://x" })).toThrow(/SANDBOX_ALERT_WEBHOOK_URL/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x/y" })).toThrow(/DATABASE_URL/);
    expect(parseEnv({ DATABASE_URL: "postgresql://u:p@localhost:5432/db" }).DATABASE_URL).toContain("localhost");
  });

  it("monitoring: retention, cleanup and pool sizing defaults; alert thresholds refused by name when not positive", () => {
    expect(parseEnv({})).toMatchObject({
      SANDBOX_METRICS_DISK_EVERY: 6,
      SANDBOX_METRICS_RETENTION_HOURS: 24,
      SANDBOX_FLEET_METRICS_RETENTION_HOURS: 168,
      SANDBOX_ALERT_RETENTION_DAYS: 30,
      SANDBOX_CLEANUP_INTERVAL: 300_000,
      SANDBOX_POOL_MIN: 1,
      SANDBOX_ALERT_CPU_PERCENT: 80,
      SANDBOX_ALERT_MEMORY_MB: 400,
      SANDBOX_ALERT_ERROR_RATE: 0.1,
      SANDBOX_ALERT_EXECUTION_TIMEOUT_MS: 30_000,
      SANDBOX_ALERT_MAX_CONCURRENT: 50,
    });
    expect(parseEnv({ SANDBOX_ALERT_CPU_PERCENT: "90", SANDBOX_ALERT_MEMORY_MB: "" }).SANDBOX_ALERT_CPU_PERCENT).toBe(90);
    expect(() => parseEnv({ SANDBOX_ALERT_CPU_PERCENT: "-5" })).toThrow(/SANDBOX_ALERT_CPU_PERCENT/);
    expect(() => parseEnv({ SANDBOX_ALERT_ERROR_RATE: "5" })).toThrow(/SANDBOX_ALERT_ERROR_RATE/);
    expect(() => parseEnv({ SANDBOX_CLEANUP_INTERVAL: "5" })).toThrow(/SANDBOX_CLEANUP_INTERVAL/);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ SANDBOX_ALERT_WEBHOOK_URL: "", DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("closes idle shells after 15 minutes by default and refuses a shell limit above its ceiling", () => {
    const env = parseEnv({});
    expect(env.SANDBOX_SHELL_IDLE_MS).toBe(900_000);
    expect(env.SANDBOX_SHELL_MAX_PER_PROJECT).toBe(3);
    expect(env.SANDBOX_SHELL_MAX_PER_USER).toBe(5);
    expect(parseEnv({ SANDBOX_SHELL_IDLE_MS: "60000" }).SANDBOX_SHELL_IDLE_MS).toBe(60_000);
    expect(() => parseEnv({ SANDBOX_SHELL_MAX_PER_USER: "1000" })).toThrow(/SANDBOX_SHELL_MAX_PER_USER/);
  });
});

describe("preview settings", () => {
  it("defaults to ports 4100-4199 and the well-known service ports denied", () => {
    const env = parseEnv({});
    expect(env.SANDBOX_PREVIEW_PORTS).toEqual({ from: 4100, to: 4199 });
    expect(env.SANDBOX_PREVIEW_DENIED_PORTS).toEqual(expect.arrayContaining([22, 2375, 2376, 5432, 3306, 6379, 27017, 9200, 11211]));
    expect(env.SANDBOX_PREVIEW_ORIGIN).toBeUndefined();
  });

  it("parses a range and a port list", () => {
    const env = parseEnv({
      SANDBOX_PREVIEW_PORTS: "5000-5009",
      SANDBOX_PREVIEW_DENIED_PORTS: " 22, 8081 ",
      SANDBOX_PREVIEW_ORIGIN: "https://preview.example.com",
    });
    expect(env.SANDBOX_PREVIEW_PORTS).toEqual({ from: 5000, to: 5009 });
    expect(env.SANDBOX_PREVIEW_DENIED_PORTS).toEqual([22, 8081]);
    expect(env.SANDBOX_PREVIEW_ORIGIN).toBe("https://preview.example.com");
  });

  it("refuses bad ranges, privileged ports, ranges holding the app's port, and origins with a port or path", () => {
    for (const bad of ["4199-4100", "80-90", "4100", "4100-9999", "a-b"])
      expect(() => parseEnv({ SANDBOX_PREVIEW_PORTS: bad })).toThrow(/SANDBOX_PREVIEW_PORTS/);
    expect(() => parseEnv({ SANDBOX_PREVIEW_PORTS: "2990-3010" })).toThrow(/must not include PORT/);
    expect(() => parseEnv({ SANDBOX_PREVIEW_DENIED_PORTS: "22,x" })).toThrow(/SANDBOX_PREVIEW_DENIED_PORTS/);
    for (const bad of ["http://host:4000", "http://host/preview", "ftp://host"])
      expect(() => parseEnv({ SANDBOX_PREVIEW_ORIGIN: bad })).toThrow(/SANDBOX_PREVIEW_ORIGIN/);
  });
});

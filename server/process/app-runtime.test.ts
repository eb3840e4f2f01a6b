import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getAppRuntime } from "./app-runtime";
import { authSecret, databaseUrl, publicUrl, publishStartupSettings } from "./startup-settings";

// Issue 16 point 2: one registry on one globalThis slot, found by a module loaded a second time
// (as Next's route bundles load the custom server's modules).

describe("the process registry", () => {
  it("gives a module loaded a second time the same long-lived parts", async () => {
    const first = await import("@/server/services/executions/execution-hub");
    vi.resetModules();
    const second = await import("@/server/services/executions/execution-hub");
    expect(second).not.toBe(first);
    expect(second.getExecutionHub()).toBe(first.getExecutionHub());
  });

  it("keeps every part in its one slot", async () => {
    const { getExecutionHub } = await import("@/server/services/executions/execution-hub");
    const { getFileChangeHub } = await import("@/server/services/files/file-change-hub");
    const { getShellRegistry } = await import("@/server/services/terminal/shell-registry");
    const { liveProcesses } = await import("@/server/services/processes/live-processes");
    const { getDatabaseAvailability } = await import("@/server/db/database-availability");
    const { securityCounters } = await import("@/server/monitoring/security-events");
    const { getFleetMetrics } = await import("@/server/monitoring/prometheus");
    const { claimServerInstance, releaseServerInstance } = await import("@/server/services/records/server-instance");
    const { getLogger } = await import("@/server/logging/logger");
    const parts = [
      getExecutionHub(),
      getFileChangeHub(),
      getShellRegistry(),
      liveProcesses(),
      getDatabaseAvailability(),
      securityCounters(),
      getFleetMetrics(),
      claimServerInstance(),
      getLogger(),
    ];
    const runtime = getAppRuntime();
    expect(Object.values(runtime)).toEqual(expect.arrayContaining(parts));
    releaseServerInstance();
    expect(Object.keys(globalThis).filter((k) => k.startsWith("__pantheon"))).toEqual(["__pantheonAppRuntime"]);
  });

  it("is the only globalThis holder in shipped code (a part created lazily would escape the check above)", () => {
    const shipped = ["server", "lib", "app", "components"].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.includes("generated/"))
        .map((f) => join(dir, f)),
    );
    const holders = shipped.filter((f) => f !== join("server", "process", "app-runtime.ts") && /globalThis as typeof globalThis/.test(readFileSync(f, "utf8")));
    expect(holders).toEqual([]);
  });
});

describe("start-up settings", () => {
  const saved = getAppRuntime().startup;
  afterEach(() => {
    getAppRuntime().startup = saved;
  });

  it("are what the server published, not the environment's", () => {
    vi.stubEnv("DATABASE_URL", "postgres://env/db");
    vi.stubEnv("NEXTAUTH_SECRET", "from-the-environment-with-32-characters");
    publishStartupSettings({ databaseUrl: "postgres://embedded/db" });
    publishStartupSettings({ publicUrl: "https://app.example", authSecret: "generated-secret-with-at-least-32-chars" });
    expect([databaseUrl(), publicUrl(), authSecret()]).toEqual(["postgres://embedded/db", "https://app.example", "generated-secret-with-at-least-32-chars"]);
    expect(process.env.DATABASE_URL).toBe("postgres://env/db");
    vi.unstubAllEnvs();
  });

  it("fall back to the environment in a process that published none (tests, scripts)", () => {
    getAppRuntime().startup = undefined;
    vi.stubEnv("DATABASE_URL", "postgres://env/db");
    vi.stubEnv("NEXTAUTH_URL", "http://localhost:3999");
    expect([databaseUrl(), publicUrl()]).toEqual(["postgres://env/db", "http://localhost:3999"]);
    vi.unstubAllEnvs();
  });
});

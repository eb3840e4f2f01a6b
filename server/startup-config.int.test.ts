import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The real entry point, not parseEnv alone: a bad setting must stop the server before it binds a
// port or starts a database, with a message naming the variable (EX_CONFIG, 78).
describe("server start-up with a bad monitoring setting", () => {
  it("refuses an invalid SANDBOX_ALERT_WEBHOOK_URL and a bad threshold, naming them", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: {
        NODE_ENV: "test",
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SANDBOX_ALERT_WEBHOOK_URL: "not a url",
        SANDBOX_ALERT_MEMORY_MB: "-1",
        PORT: "1",
      },
      encoding: "utf8",
      timeout: 50_000,
    });
    expect(run.status, run.stderr).toBe(78);
    expect(run.stderr).toContain("SANDBOX_ALERT_WEBHOOK_URL");
    expect(run.stderr).toContain('"not a url"');
    expect(run.stderr).toContain("SANDBOX_ALERT_MEMORY_MB");
  });
});

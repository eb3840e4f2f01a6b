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
    // One log format: the refusal is a structured log line (stdout, like every line the server prints).
    const printed = run.stdout + run.stderr;
    expect(run.status, printed).toBe(78);
    expect(printed).toContain("SANDBOX_ALERT_WEBHOOK_URL");
    expect(printed).toContain('\\"not a url\\"');
    expect(printed).toContain("SANDBOX_ALERT_MEMORY_MB");
  });
});

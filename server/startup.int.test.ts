import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("server start-up", () => {
  it("stops with a message naming the variable when the configuration is bad", async () => {
    const failure = await run(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: { ...process.env, SANDBOX_MAX_CONCURRENT: "plenty", SANDBOX_RUNTIME: "kata" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect("code" in failure && failure.code).toBe(78);
    expect(failure.stderr).toContain("SANDBOX_MAX_CONCURRENT");
    expect(failure.stderr).toContain('"plenty"');
    expect(failure.stderr).toContain("SANDBOX_RUNTIME");
    expect(failure.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

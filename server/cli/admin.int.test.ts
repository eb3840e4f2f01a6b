import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { callerWithHeaders } from "@/lib/testing/fixtures";

const run = promisify(execFile);

async function admin(...args: string[]) {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "server/cli/admin.ts", ...args], { env: { ...process.env, DATABASE_URL: inject("databaseUrl") } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("npm run admin", () => {
  it("creates an admin, mints a key printed alone on the last line, and revokes it", async () => {
    const email = `cli-${randomUUID()}@test.local`;
    const created = await admin("create-user", "--email", email, "--password", "a long password", "--admin");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`created admin ${email}`);

    const minted = await admin("create-api-key", "--email", email, "--name", "chat service", "--ai", "geppo");
    expect(minted.code).toBe(0);
    const lines = minted.stdout.trim().split("\n");
    const key = lines.at(-1) ?? "";
    expect(key).toMatch(/^psk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const me = await (await callerWithHeaders({ authorization: `Bearer ${key}` })).auth.me();
    expect(me).toMatchObject({ email, role: "admin", defaultAiPersonality: "geppo" });

    const revoked = await admin("revoke-api-key", "--prefix", key.slice(0, 12));
    expect(revoked.code).toBe(0);
    await expect((await callerWithHeaders({ authorization: `Bearer ${key}` })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  }, 60_000);

  it("fails with a clear message for a duplicate email, an unknown user or a missing flag", async () => {
    const email = `cli-${randomUUID()}@test.local`;
    expect((await admin("create-user", "--email", email, "--password", "a long password")).code).toBe(0);
    const dup = await admin("create-user", "--email", email, "--password", "a long password");
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("already exists");
    const unknown = await admin("create-api-key", "--email", "nobody@test.local", "--name", "x");
    expect(unknown.stderr).toContain("no user with email");
    const missing = await admin("create-api-key", "--email", email);
    expect(missing.stderr).toContain("--name is required");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { callerWithHeaders, keyFor } from "@/test/fixtures/accounts";
import { userRepository } from "@/server/repositories/user-repository";
import { verifyCredentials } from "@/server/services/users/user-service";

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

  it("applies the password policy, sets passwords, and disables and enables accounts", async () => {
    const email = `cli-${randomUUID()}@test.local`;
    const weak = await admin("create-user", "--email", email, "--password", "password123");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("at least 12 characters");
    const common = await admin("create-user", "--email", email, "--password", "1q2w3e4r5t6y");
    expect(common.stderr).toContain("most common passwords");
    expect((await admin("create-user", "--email", email, "--password", "a long password")).code).toBe(0);
    const user = (await userRepository.findByEmail(email))!;
    const key = await keyFor(user);
    const asKey = async () => (await callerWithHeaders({ authorization: `Bearer ${key}` })).auth.me();

    const disabled = await admin("disable-user", "--email", email);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain("is disabled");
    await expect(asKey()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("disabled") });
    expect(await verifyCredentials(email, "a long password", `cli-test-${randomUUID()}`)).toBeNull();
    expect((await admin("enable-user", "--email", email)).code).toBe(0);
    expect((await asKey()).email).toBe(email);

    expect((await admin("set-password", "--email", email, "--password", "qwertyuiop")).stderr).toContain("at least 12");
    const set = await admin("set-password", "--email", email, "--password", "another long passphrase");
    expect(set.code).toBe(0);
    expect(await verifyCredentials(email, "another long passphrase", `cli-test-${randomUUID()}`)).toMatchObject({ email });
    expect((await userRepository.findByEmail(email))!.sessionVersion).toBeGreaterThan(user.sessionVersion);
  }, 120_000);
});

import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { refusal } from "@/test/support/refusal";
import { apiKeyRepository } from "@/server/repositories/api-key-repository";
import { getAppRuntime } from "@/server/process/app-runtime";
import { authenticateApiKey, revokeApiKey } from "./api-key-service";
import { getApiKeyCache, startAuthInvalidation, stopAuthInvalidation } from "./auth-invalidation";
import { setUserDisabled } from "./user-service";

// Issue 11 (REST round trips): a kept API key is refused as soon as the database says it changed,
// whoever changed it. The changes are made here as the admin CLI or psql would make them, through
// another connection, so only the database's announcement can tell this process.
const url = process.env.DATABASE_URL ?? "";
const outside = new pg.Client({ connectionString: url });
const reads = vi.spyOn(apiKeyRepository, "findByPrefixWithOwner");

beforeAll(async () => {
  await outside.connect();
  await startAuthInvalidation(url, pino({ level: process.env.TEST_LOG ?? "silent" }));
});
afterAll(async () => {
  await stopAuthInvalidation();
  await outside.end();
});

/** A kept key: authenticated once (read), then again without a read. */
async function keptKey(role: "user" | "admin" = "user", scopes?: NonNullable<Parameters<typeof keyFor>[1]>["scopes"]) {
  const user = await makeUser(role);
  const key = await keyFor(user, { name: "chat service", ...(scopes ? { scopes } : {}) });
  await authenticateApiKey(key);
  const before = reads.mock.calls.length;
  await authenticateApiKey(key);
  expect(reads.mock.calls.length, "the second request reads no row").toBe(before);
  return { user, key, prefix: key.slice(0, 12) };
}

/** Until the key is refused (the announcement heard), at most `ms`; the refusal and how long it took. */
async function refusedWithin(key: string, ms: number) {
  const started = performance.now();
  for (;;) {
    const outcome = await authenticateApiKey(key).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    const elapsed = performance.now() - started;
    if (outcome) return { code: outcome.code, message: outcome.message, elapsed };
    if (elapsed > ms) throw new Error(`the key was still accepted ${ms} ms after the change`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("kept API keys", () => {
  it("are refused within a second of a revocation made outside this process", async () => {
    const { key, prefix } = await keptKey();
    await outside.query("UPDATE api_keys SET revoked_at = now() WHERE prefix = $1", [prefix]);
    const refused = await refusedWithin(key, 1_000);
    expect(refused).toMatchObject({ code: "UNAUTHORIZED", message: `API key ${prefix} was revoked` });
    expect(refused.elapsed).toBeLessThan(1_000);
  });

  it("are refused at once after a revocation through this process (no wait for the announcement)", async () => {
    const { key, prefix } = await keptKey();
    await revokeApiKey(prefix);
    expect(await refusal(authenticateApiKey(key))).toMatchObject({ code: "UNAUTHORIZED", message: `API key ${prefix} was revoked` });
  });

  it("are refused when the account is disabled, here or outside", async () => {
    const here = await keptKey();
    await setUserDisabled(here.user.id, true);
    expect((await refusal(authenticateApiKey(here.key))).message).toBe(`The account of API key ${here.prefix} is disabled`);

    const there = await keptKey();
    await outside.query("UPDATE users SET disabled_at = now() WHERE id = $1", [there.user.id]);
    expect((await refusedWithin(there.key, 1_000)).message).toBe(`The account of API key ${there.prefix} is disabled`);
    // Re-enabled: accepted on the next request (refusals are never kept).
    await outside.query("UPDATE users SET disabled_at = NULL WHERE id = $1", [there.user.id]);
    await expect(authenticateApiKey(there.key)).resolves.toMatchObject({ id: there.user.id });
  });

  it("lose the admin scope when the owner is demoted outside, and die with a deleted key", async () => {
    const admin = await keptKey("admin", ["admin", "projects:read"]);
    expect((await authenticateApiKey(admin.key)).scopes).toContain("admin");
    await outside.query("UPDATE users SET role = 'user' WHERE id = $1", [admin.user.id]);
    const started = performance.now();
    while ((await authenticateApiKey(admin.key)).scopes.includes("admin")) {
      if (performance.now() - started > 1_000) throw new Error("still an admin key a second after the demotion");
      await new Promise((r) => setTimeout(r, 5));
    }
    await outside.query("DELETE FROM api_keys WHERE prefix = $1", [admin.prefix]);
    expect((await refusedWithin(admin.key, 1_000)).message).toBe("Unknown API key");
  });

  it("stay kept when only lastUsedAt is written (bookkeeping announces nothing)", async () => {
    const { key, prefix, user } = await keptKey();
    await outside.query("UPDATE api_keys SET last_used_at = now() - interval '1 hour' WHERE prefix = $1", [prefix]);
    // A fence: an announcement for another account, sent after the write; once it is heard, an
    // announcement of the write would have been too (NOTIFY keeps the order of commits).
    await outside.query("SELECT pg_notify('pantheon_auth', $1)", [String(user.id + 1_000_000)]);
    await new Promise((r) => setTimeout(r, 200));
    const before = reads.mock.calls.length;
    await authenticateApiKey(key);
    expect(reads.mock.calls.length).toBe(before);
  });

  it("are not kept while the announcements cannot be heard, and are again once they can", async () => {
    const { key } = await keptKey();
    const cache = getApiKeyCache();
    expect(cache.size).toBeGreaterThan(0);
    // The listening connection dies (a database restart, a network cut): its backend is ended.
    const backend = (getAppRuntime().authInvalidation?.client as { processID?: number } | null | undefined)?.processID;
    expect(backend).toBeTypeOf("number");
    await outside.query("SELECT pg_terminate_backend($1)", [backend]);
    const deadline = Date.now() + 5_000;
    while (cache.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(cache.size).toBe(0);
    // Until it listens again (reconnect after 1 s) every request reads the row; after, one read is kept.
    while (Date.now() < deadline + 5_000) {
      const before = reads.mock.calls.length;
      await authenticateApiKey(key);
      await authenticateApiKey(key);
      if (reads.mock.calls.length - before === 1) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the cache did not come back after the connection did");
  });
});

import { encode } from "next-auth/jwt";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { callerWithHeaders, keyFor, makeUser } from "@/test/fixtures/accounts";
import { revokeApiKey } from "@/server/services/users/api-key-service";
import { verifyCredentials } from "@/server/services/users/user-service";

async function sessionCookie(uid: number) {
  const token = await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET ?? "" });
  return { cookie: `next-auth.session-token=${token}` };
}

describe("auth.signUp", () => {
  it("creates an account, and answers a second sign-up with the same email exactly alike, changing nothing", async () => {
    const anon = await callerWithHeaders();
    const email = `Someone-${Date.now()}@Example.com`;
    const first = await anon.auth.signUp({ email, password: "long enough pw" });
    const again = await anon.auth.signUp({ email: email.toLowerCase(), password: "another pw 123" });
    expect(again).toEqual(first);
    expect(first).toEqual({ accepted: true });
    // The first password still signs in; the stranger's does not.
    expect(await verifyCredentials(email, "long enough pw", `test-${Date.now()}`)).toMatchObject({ email: email.toLowerCase() });
    expect(await verifyCredentials(email, "another pw 123", `test-${Date.now()}`)).toBeNull();
  });

  it("rejects a bad email or short password with the zod issues", async () => {
    const anon = await callerWithHeaders();
    await expect(anon.auth.signUp({ email: "not-an-email", password: "x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("stores an argon2 hash, never the password", async () => {
    const user = await makeUser();
    const db = new pg.Client(inject("databaseUrl"));
    await db.connect();
    const { rows } = await db.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = $1", [user.id]);
    await db.end();
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]?.password_hash).not.toContain(user.password);
  });
});

describe("auth.me resolves the caller", () => {
  it("refuses anonymous callers with 401 and a hint", async () => {
    const anon = await callerWithHeaders();
    await expect(anon.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("Bearer") });
  });

  it("from a session cookie", async () => {
    const user = await makeUser();
    const me = await (await callerWithHeaders(await sessionCookie(user.id))).auth.me();
    expect(me).toMatchObject({ id: user.id, email: user.email, via: "session", role: "user" });
  });

  it("refuses a forged or stale session cookie", async () => {
    const forged = await encode({ token: { uid: 1 }, secret: "a-different-secret-of-at-least-32-chars!!" });
    await expect((await callerWithHeaders({ cookie: `next-auth.session-token=${forged}` })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await callerWithHeaders(await sessionCookie(99_999_999))).auth.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringContaining("no longer exists"),
    });
  });

  it("from an API key, with the same user shape and the key's default AI", async () => {
    const user = await makeUser();
    const key = await keyFor(user, { name: "chat", defaultAiPersonality: "c24" });
    const me = await (await callerWithHeaders({ authorization: `Bearer ${key}` })).auth.me();
    expect(me).toMatchObject({ id: user.id, email: user.email, via: "api_key", defaultAiPersonality: "c24" });
    expect(me.scopes).toEqual(["projects:read", "projects:write", "executions:run"]);
  });

  it("says what is wrong with a malformed, unknown, revoked or expired key", async () => {
    const user = await makeUser();
    const call = async (authorization: string) => (await callerWithHeaders({ authorization })).auth.me();
    await expect(call("Basic dXNlcjpwdw==")).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("Bearer") });
    await expect(call("Bearer nonsense")).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("Malformed") });
    const key = await keyFor(user);
    const unknown = key.slice(0, -4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");
    await expect(call(`Bearer ${unknown}`)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Unknown API key" });
    await revokeApiKey(key.slice(0, 12));
    await expect(call(`Bearer ${key}`)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("revoked") });

    const db = new pg.Client(inject("databaseUrl"));
    await db.connect();
    const expiring = await keyFor(user, { name: "short", expiresInDays: 1 });
    await db.query("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE prefix = $1", [expiring.slice(0, 12)]);
    await db.end();
    await expect(call(`Bearer ${expiring}`)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("expired") });
  });

  it("prefers the Authorization header over a cookie, so a bad key is never masked by a session", async () => {
    const user = await makeUser();
    const caller = await callerWithHeaders({ ...(await sessionCookie(user.id)), authorization: "Bearer nonsense" });
    await expect(caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { itCoversEveryProcedure } from "@/test/support/attack-coverage";
import { callerWithHeaders, keyFor, makeUser } from "@/test/fixtures/accounts";
import { encode } from "next-auth/jwt";

// Every apiKeys procedure, called as each caller that must be refused.
const procedures = {
  list: (c: Awaited<ReturnType<typeof callerWithHeaders>>) => c.apiKeys.list(),
  create: (c: Awaited<ReturnType<typeof callerWithHeaders>>) => c.apiKeys.create({ name: "x" }),
  revoke: (c: Awaited<ReturnType<typeof callerWithHeaders>>) => c.apiKeys.revoke({ prefix: "psk_00000000" }),
};

async function session(uid: number) {
  return callerWithHeaders({ cookie: `next-auth.session-token=${await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET ?? "" })}` });
}

describe("apiKeys router refuses", () => {
  itCoversEveryProcedure("apiKeys", Object.keys(procedures));
  for (const [name, call] of Object.entries(procedures)) {
    it(`${name}: anonymous → UNAUTHORIZED`, async () => {
      await expect(call(await callerWithHeaders())).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    });
    it(`${name}: an API key (even an admin's) → FORBIDDEN: keys cannot manage keys`, async () => {
      const admin = await makeUser("admin");
      const key = await keyFor(admin, { name: "k", scopes: ["admin", "projects:read"] });
      await expect(call(await callerWithHeaders({ authorization: `Bearer ${key}` }))).rejects.toMatchObject({ code: "FORBIDDEN" });
    });
  }

  it("revoking another user's key answers NOT_FOUND and leaves it working", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    const aliceKey = await keyFor(alice);
    await expect((await session(bob.id)).apiKeys.revoke({ prefix: aliceKey.slice(0, 12) })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect((await callerWithHeaders({ authorization: `Bearer ${aliceKey}` })).auth.me()).resolves.toMatchObject({ id: alice.id });
  });

  it("a non-admin cannot mint an admin-scoped key", async () => {
    const user = await makeUser();
    await expect((await session(user.id)).apiKeys.create({ name: "x", scopes: ["admin"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("apiKeys for their owner", () => {
  it("create shows the key once, stores only its sha256, lists only own keys, revoke works", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    await keyFor(bob, { name: "bob's" });
    const caller = await session(alice.id);
    const { key, apiKey } = await caller.apiKeys.create({ name: "chat service", defaultAiPersonality: "geppo" });
    expect(key.startsWith(apiKey.prefix)).toBe(true);

    const listed = await caller.apiKeys.list();
    expect(listed.map((k) => k.name)).toEqual(["chat service"]);
    expect(JSON.stringify(listed)).not.toContain(key);

    const db = new pg.Client(inject("databaseUrl"));
    await db.connect();
    const { rows } = await db.query("SELECT * FROM api_keys WHERE prefix = $1", [apiKey.prefix]);
    await db.end();
    expect(JSON.stringify(rows)).not.toContain(key.slice(13));

    await caller.apiKeys.revoke({ prefix: apiKey.prefix });
    await expect((await callerWithHeaders({ authorization: `Bearer ${key}` })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.apiKeys.revoke({ prefix: apiKey.prefix })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("rejects an unknown AI personality", async () => {
    const user = await makeUser();
    await expect((await session(user.id)).apiKeys.create({ name: "x", defaultAiPersonality: "hal9000" as never })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

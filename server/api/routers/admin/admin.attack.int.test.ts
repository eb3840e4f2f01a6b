import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { callerWithHeaders, keyFor, makeUser } from "@/lib/testing/fixtures";

async function session(uid: number) {
  return callerWithHeaders({ cookie: `next-auth.session-token=${await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET ?? "" })}` });
}

describe("admin router", () => {
  it("anonymous → UNAUTHORIZED", async () => {
    await expect((await callerWithHeaders()).admin.listUsers()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("a user's session or key → NOT_FOUND, so the procedure's existence does not leak", async () => {
    const user = await makeUser();
    await expect((await session(user.id)).admin.listUsers()).rejects.toMatchObject({ code: "NOT_FOUND" });
    const key = await keyFor(user);
    await expect((await callerWithHeaders({ authorization: `Bearer ${key}` })).admin.listUsers()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("an admin's key without the admin scope → NOT_FOUND", async () => {
    const admin = await makeUser("admin");
    const key = await keyFor(admin, { name: "no admin scope" });
    await expect((await callerWithHeaders({ authorization: `Bearer ${key}` })).admin.listUsers()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("an admin session or admin-scoped key lists users without password hashes", async () => {
    const admin = await makeUser("admin");
    const users = await (await session(admin.id)).admin.listUsers({ take: 200, skip: 0 });
    expect(users.some((u) => u.id === admin.id)).toBe(true);
    expect(JSON.stringify(users)).not.toContain("argon2");
    const key = await keyFor(admin, { name: "admin", scopes: ["admin"] });
    await expect((await callerWithHeaders({ authorization: `Bearer ${key}` })).admin.listUsers()).resolves.toBeInstanceOf(Array);
  });
});

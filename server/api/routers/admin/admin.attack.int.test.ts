import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import { itCoversEveryProcedure } from "@/test/support/attack-coverage";
import { sessionCaller } from "@/test/support/callers";
import { callerWithHeaders, keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET } from "@/app/api/trpc/[trpc]/route";

type Caller = Awaited<ReturnType<typeof callerWithHeaders>>;

// Every admin procedure, called as each caller that must be refused. Non-admins get NOT_FOUND (as
// a missing procedure would answer), so the admin surface does not leak.
let projectId = 0;
let otherUserId = 0;
const PROCEDURES: Record<string, (c: Caller) => Promise<unknown>> = {
  listUsers: (c) => c.admin.listUsers(),
  // Enabling an enabled account: harmless when served, so the same target serves every case.
  setUserDisabled: (c) => c.admin.setUserDisabled({ userId: otherUserId, disabled: false }),
  fleetOverview: (c) => c.admin.fleetOverview({ minutes: 60, maxPoints: 60 }),
  activeSandboxes: (c) => c.admin.activeSandboxes(),
  stopSandbox: (c) => c.admin.stopSandbox({ projectId }),
  alerts: (c) => c.admin.alerts(),
  anomalies: (c) => c.admin.anomalies(),
  projectMetrics: (c) => c.admin.projectMetrics({ projectId, metric: "cpu_percent", since: new Date(Date.now() - 3600_000), until: new Date() }),
};

describe("admin router refuses", () => {
  itCoversEveryProcedure("admin", Object.keys(PROCEDURES));
  beforeAll(async () => {
    const owner = await makeUser();
    otherUserId = owner.id;
    projectId = (await (await sessionCaller(owner.id)).projects.create({ name: "someone's", template: "python-script" })).id;
  });

  for (const [name, call] of Object.entries(PROCEDURES)) {
    it(`${name}: anonymous → UNAUTHORIZED`, async () => {
      await expect(call(await callerWithHeaders())).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    });

    it(`${name}: a user's session or key (even with every user scope) → NOT_FOUND`, async () => {
      const user = await makeUser();
      await expect(call(await sessionCaller(user.id))).rejects.toMatchObject({ code: "NOT_FOUND" });
      const key = await keyFor(user, { name: "all user scopes", scopes: ["projects:read", "projects:write", "executions:run"] });
      await expect(call(await callerWithHeaders({ authorization: `Bearer ${key}` }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it(`${name}: an admin's key without the admin scope → NOT_FOUND`, async () => {
      const admin = await makeUser("admin");
      const key = await keyFor(admin, { name: "no admin scope" });
      await expect(call(await callerWithHeaders({ authorization: `Bearer ${key}` }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it(`${name}: an admin session and an admin-scoped key are served`, async () => {
      const admin = await makeUser("admin");
      await expect(call(await sessionCaller(admin.id))).resolves.not.toThrow();
      const key = await keyFor(admin, { name: "admin", scopes: ["admin"] });
      await expect(call(await callerWithHeaders({ authorization: `Bearer ${key}` }))).resolves.not.toThrow();
    });
  }

  it("a batch mixing admin procedures is refused call by call for a user", async () => {
    const user = await makeUser();
    const key = await keyFor(user);
    const queries = ["admin.fleetOverview", "admin.activeSandboxes", "admin.alerts", "admin.anomalies", "auth.me"];
    const input = Object.fromEntries(queries.map((_, i) => [i, superjson.serialize(undefined)]));
    const res = await GET(
      new Request(`http://localhost/api/trpc/${queries.join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, {
        headers: { authorization: `Bearer ${key}` },
      }),
    );
    const body = (await res.json()) as { result?: unknown; error?: { json: { data: { code: string } } } }[];
    expect(body.slice(0, -1).map((b) => b.error?.json.data.code)).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]);
    expect(body.at(-1)?.result).toBeDefined();
  });

  it("listUsers never carries password hashes", async () => {
    const admin = await makeUser("admin");
    // Every page: the shared test database holds more users than one page (200) as suites grow.
    const caller = await sessionCaller(admin.id);
    const users = [];
    for (let skip = 0; ; skip += 200) {
      const page = await caller.admin.listUsers({ take: 200, skip });
      users.push(...page);
      if (page.length < 200) break;
    }
    expect(users.some((u) => u.id === admin.id)).toBe(true);
    expect(JSON.stringify(users)).not.toContain("argon2");
  });
});

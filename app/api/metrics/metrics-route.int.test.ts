import { afterEach, describe, expect, it } from "vitest";
import { sessionCookie } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET } from "@/app/api/metrics/route";
import { recordExecution } from "@/server/monitoring/prometheus";

const TOKEN = "scrape-token-for-tests-0123456789";

async function scrape(headers: Record<string, string>) {
  const res = await GET(new Request("http://localhost/api/metrics", { headers }));
  return { status: res.status, body: await res.text() };
}

describe("GET /api/metrics", () => {
  afterEach(() => {
    delete process.env.SANDBOX_METRICS_TOKEN;
  });

  it("serves an admin session, an admin-scoped key and the scrape token", async () => {
    process.env.SANDBOX_METRICS_TOKEN = TOKEN;
    recordExecution({ status: "success", runtime: "runc", durationMs: 80 });
    const admin = await makeUser("admin");
    const allowed: Record<string, string>[] = [
      { cookie: await sessionCookie(admin.id) },
      { authorization: `Bearer ${await keyFor(admin, { name: "prom", scopes: ["admin"] })}` },
      { authorization: `Bearer ${TOKEN}` },
    ];
    for (const headers of allowed) {
      const { status, body } = await scrape(headers);
      expect(status).toBe(200);
      expect(body).toContain('pantheon_executions_total{status="success",runtime="runc"}');
      expect(body).toContain("pantheon_active_sandboxes 0");
    }
  });

  it("answers 404 to everyone else, so the endpoint's existence does not leak", async () => {
    process.env.SANDBOX_METRICS_TOKEN = TOKEN;
    const user = await makeUser("user");
    const admin = await makeUser("admin");
    const refused: Record<string, string>[] = [
      {},
      { cookie: await sessionCookie(user.id) },
      { authorization: `Bearer ${await keyFor(user, { name: "k", scopes: ["projects:read"] })}` },
      // An admin's key without the admin scope is not enough.
      { authorization: `Bearer ${await keyFor(admin, { name: "k", scopes: ["projects:read", "executions:run"] })}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: "Bearer " },
      { authorization: TOKEN },
    ];
    for (const headers of refused) {
      const { status, body } = await scrape(headers);
      expect(status, JSON.stringify(headers)).toBe(404);
      expect(body).not.toContain("pantheon_");
    }
  });

  it("an unset token never matches an empty bearer", async () => {
    expect((await scrape({ authorization: "Bearer " })).status).toBe(404);
    expect((await scrape({ authorization: "Bearer undefined" })).status).toBe(404);
  });
});

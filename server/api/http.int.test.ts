import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET as healthGet } from "@/app/api/health/route";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";
import { createContext } from "./context";
import { publicProcedure, router } from "./trpc";

// The HTTP surface, through the real route handlers: status codes, batching, error shapes.
const base = "http://localhost/api/trpc";

describe("tRPC over HTTP", () => {
  it("answers 401 with a JSON message, never a stack trace", async () => {
    const res = await GET(new Request(`${base}/auth.me`));
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(body).toContain("Sign in");
    expect(body).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("refuses each call of a batch on its own: a user key gets me, but not admin", async () => {
    const user = await makeUser();
    const key = await keyFor(user);
    const res = await GET(
      new Request(`${base}/auth.me,admin.listUsers?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`, { headers: { authorization: `Bearer ${key}` } }),
    );
    const body = (await res.json()) as Array<{ result?: { data: unknown }; error?: { json: { data: { code: string } } } }>;
    expect(body[0]?.result).toBeDefined();
    expect(body[1]?.error?.json.data.code).toBe("NOT_FOUND");
  });

  it("returns zod issues for bad input", async () => {
    const res = await POST(
      new Request(`${base}/auth.signUp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(superjson.serialize({ email: "nope", password: "1" })),
      }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { zodIssues: Array<{ path: string[] }> } } } };
    expect(body.error.json.data.zodIssues.map((i) => i.path[0])).toEqual(expect.arrayContaining(["email", "password"]));
    expect(body.error.json.message).toContain("email");
  });

  it("answers malformed JSON with 400, not 500", async () => {
    const res = await POST(new Request(`${base}/auth.signUp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }));
    expect(res.status).toBe(400);
  });

  it("hides the detail of unexpected errors behind a generic message", async () => {
    const testRouter = router({
      boom: publicProcedure.query(() => {
        throw new Error("connection to 10.0.0.5 refused: password=hunter2");
      }),
    });
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`${base}/boom`),
      router: testRouter,
      createContext: () => createContext({ headers: new Headers() }),
      onError: () => {},
    });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toContain("Internal server error");
    expect(body).not.toContain("hunter2");
    expect(body).not.toContain("10.0.0.5");
  });
});

describe("GET /api/health", () => {
  const url = "http://localhost/api/health";

  it("tells anyone only whether each part is up: no versions, posture, pool or error text", async () => {
    const res = await healthGet(new Request(url));
    expect(res.status).toBe(200);
    const health = (await res.json()) as Record<string, unknown> & { database: { status: string }; docker: { status: string } };
    expect(health.database).toEqual({ status: "up", state: "up" });
    expect(["up", "unavailable"]).toContain(health.docker.status);
    expect(Object.keys(health).sort()).toEqual(["database", "docker", "engine", "status"]);
    expect(Object.keys(health.docker)).toEqual(["status"]);
    // A plain user's key is no better than anonymous.
    const userKey = await keyFor(await makeUser());
    const asUser = (await (await healthGet(new Request(url, { headers: { authorization: `Bearer ${userKey}` } }))).json()) as Record<string, unknown>;
    expect(asUser).toEqual(health);
  });

  it("gives an admin the full report (Docker's version when it is up, latency, uptime)", async () => {
    const adminKey = await keyFor(await makeUser("admin"), { name: "ops", scopes: ["admin"] });
    const res = await healthGet(new Request(url, { headers: { authorization: `Bearer ${adminKey}` } }));
    expect(res.status).toBe(200);
    const health = (await res.json()) as { database: { latencyMs: number }; docker: { status: string; version?: string }; uptimeSeconds: number };
    expect(typeof health.database.latencyMs).toBe("number");
    expect(typeof health.uptimeSeconds).toBe("number");
    if (health.docker.status === "up") expect(health.docker.version).toEqual(expect.any(String));
  });
});

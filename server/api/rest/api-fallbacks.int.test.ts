import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import * as catchAll from "@/app/api/[[...path]]/route";
import * as nextAuthRoute from "@/app/api/auth/[...nextauth]/route";
import { ROUTE_METHODS } from "./method-not-allowed";

// Every path under /api/ answers in the API's JSON error shape: a method a route does not serve
// is a JSON 405 with Allow (never Next's empty 405), and a path no route serves reaches the
// catch-all's JSON 404 (never Next's HTML page). That Next really routes unknown paths to the
// catch-all is shown against the running app by e2e/rest-api.spec.ts.

type Handler = (req: Request, ctx: unknown) => Response | Promise<Response>;

function routeFiles(dir = "app/api"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return routeFiles(path);
    return e.name === "route.ts" ? [relative(".", path).split(sep).join("/")] : [];
  });
}

const CATCH_ALL = "app/api/[[...path]]/route.ts";
const files = routeFiles().filter((f) => f !== CATCH_ALL);
const ctx = { params: Promise.resolve({ id: "1", processId: "1", trpc: "x", nextauth: ["session"], path: ["x"] }) };

describe("methods a route does not serve", () => {
  it.each(files)("%s exports every method, the unserved ones as a JSON 405 with Allow", async (file) => {
    const mod = (await import(/* @vite-ignore */ `@/${file}`)) as Partial<Record<string, Handler>>;
    const exported = ROUTE_METHODS.filter((m) => typeof mod[m] === "function");
    // HEAD may be left to Next, which answers it with GET.
    const missing = ROUTE_METHODS.filter((m) => !exported.includes(m) && !(m === "HEAD" && exported.includes("GET")));
    expect(missing, `${file} leaves ${missing.join(", ")} to Next's empty 405: add them with otherMethods()`).toEqual([]);

    const url = `http://localhost/${file.replace(/^app\//, "").replace(/\/route\.ts$/, "")}`;
    const options = await mod.OPTIONS?.(new Request(url, { method: "OPTIONS" }), ctx);
    expect(options?.status).toBe(204);
    const allow = options?.headers.get("allow") ?? "";
    expect(allow).toContain("OPTIONS");
    const unserved = ROUTE_METHODS.filter((m) => m !== "OPTIONS" && !allow.split(", ").includes(m));
    expect(unserved.length).toBeGreaterThan(0);
    for (const method of unserved) {
      const res = await mod[method]?.(new Request(url, { method }), ctx);
      expect(res?.status, `${method} ${file}`).toBe(405);
      expect(res?.headers.get("allow")).toBe(allow);
      expect(res?.headers.get("content-type")).toContain("application/json");
      const body = (await res?.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("METHOD_NOT_ALLOWED");
      expect(body.error.message).toContain(`${method} is not allowed`);
      expect(body.error.message).toContain(allow);
    }
  });

  it("the list of served methods is the route's own: GET and POST on /api/sandbox/projects", async () => {
    const mod = await import("@/app/api/sandbox/projects/route");
    const res = mod.DELETE(new Request("http://localhost/api/sandbox/projects", { method: "DELETE" }));
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(await res.json()).toEqual({
      error: { code: "METHOD_NOT_ALLOWED", message: "DELETE is not allowed on /api/sandbox/projects; it answers GET, HEAD, POST, OPTIONS" },
    });
  });
});

describe("paths no route serves", () => {
  it.each(["/api", "/api/sandbox/nope", "/api/sandbox/projects/1/nope", "/api/sandbox/projects/1/files/content/x", "/api/v2/projects", "/api/trpc/a/b"])(
    "%s answers a JSON 404 for GET, POST, DELETE, PUT, PATCH, OPTIONS",
    async (path) => {
      for (const method of ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"] as const) {
        const res = catchAll[method](new Request(`http://localhost${path}`, { method }));
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.headers.get("content-type")).toContain("application/json");
        expect(await res.json()).toEqual({
          error: { code: "NOT_FOUND", message: `No API route ${method} ${path}; every REST route is listed at /api/openapi.json` },
        });
      }
    },
  );
});

describe("/api/auth/*: next-auth's catch-all", () => {
  const call = (method: string, segments: string[]) => {
    const handler = (nextAuthRoute as unknown as Record<string, Handler>)[method];
    const path = `/api/auth/${segments.join("/")}`;
    // A NextRequest, as Next hands it: next-auth reads `nextUrl`.
    return handler?.(new NextRequest(`http://localhost${path}`, { method }), { params: Promise.resolve({ nextauth: segments }) });
  };

  it("answers a path next-auth has no action for with the JSON 404, whatever the method", async () => {
    for (const segments of [["nope"], ["session", "x"], ["callback"], ["signin", "credentials", "x"], ["__proto__"], []]) {
      for (const method of ["GET", "POST", "PUT", "DELETE", "OPTIONS"]) {
        const res = await call(method, segments);
        const path = `/api/auth/${segments.join("/")}`;
        expect(res?.status, `${method} ${path}`).toBe(404);
        expect(await res?.json()).toEqual({
          error: { code: "NOT_FOUND", message: `No API route ${method} ${path}; every REST route is listed at /api/openapi.json` },
        });
      }
    }
  });

  it("answers a method an action does not take with the JSON 405 and the action's Allow", async () => {
    const cases: Array<[string, string[], string]> = [
      ["POST", ["providers"], "GET, HEAD, OPTIONS"],
      ["DELETE", ["csrf"], "GET, HEAD, OPTIONS"],
      ["GET", ["_log"], "POST, OPTIONS"],
      ["PUT", ["callback", "credentials"], "GET, HEAD, POST, OPTIONS"],
    ];
    for (const [method, segments, allow] of cases) {
      const res = await call(method, segments);
      expect(res?.status, `${method} ${segments.join("/")}`).toBe(405);
      expect(res?.headers.get("allow")).toBe(allow);
      expect(((await res?.json()) as { error: { code: string } }).error.code).toBe("METHOD_NOT_ALLOWED");
    }
    const options = await call("OPTIONS", ["signin"]);
    expect(options?.status).toBe(204);
    expect(options?.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });
  // That next-auth still answers the paths it serves (session, csrf, providers, a sign-in) needs
  // Next's request scope (next-auth reads cookies()): e2e/rest-api.spec.ts, against the running app.
});

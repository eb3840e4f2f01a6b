import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors/app-error";
import { SandboxError } from "@/server/sandbox/errors";
import { createContext } from "./context";
import { retryAfterHeader } from "./retry-after";
import { publicProcedure, router } from "./trpc";

// tRPC and REST say the same about a failure: internal detail withheld behind a request id,
// a lost container a retryable 503.
const testRouter = router({
  appInternal: publicProcedure.query(() => {
    throw new AppError("INTERNAL", "pool bookkeeping broke at lease 0xdead");
  }),
  engineInternal: publicProcedure.query(() => {
    throw new SandboxError("INTERNAL", 'unexpected spawn output "secret"');
  }),
  lost: publicProcedure.query(() => {
    throw new SandboxError("CONTAINER_LOST", "container 0123456789ab is not running");
  }),
});

async function call(path: string) {
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/${path}`),
    router: testRouter,
    createContext: () => createContext({ headers: new Headers() }),
    responseMeta: ({ errors }) => ({ headers: retryAfterHeader(errors) }),
    onError: () => {},
  });
  const text = await res.text();
  const body = JSON.parse(text) as { error: { json: { message: string; data: { httpStatus: number; requestId: string | null } } } };
  return { res, text, error: body.error.json };
}

describe("tRPC error mapping", () => {
  it.each([
    ["appInternal", "0xdead"],
    ["engineInternal", "secret"],
  ])("%s: hides the message and answers a request id", async (path, secret) => {
    const { res, text, error } = await call(path);
    expect(res.status).toBe(500);
    expect(text).not.toContain(secret);
    expect(error.message).toBe("Internal server error");
    expect(error.data.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a lost container with 503 and Retry-After, naming no container", async () => {
    const { res, text, error } = await call("lost");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(error.message).toContain("Try again");
    expect(text).not.toContain("0123456789ab");
  });
});

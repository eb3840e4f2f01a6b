import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SandboxError, type SandboxErrorCode } from "@/server/sandbox/errors";
import { AppError, HTTP_STATUS } from "./app-error";
import { fromSandboxError, SANDBOX_ERROR_MAPPING } from "./from-sandbox-error";
import { INTERNAL_MESSAGE, toPublicError } from "./public-error";

// The compile-time half is `satisfies Record<SandboxErrorCode, …>` in from-sandbox-error.ts; this
// list is the runtime half, so a code added there and here without a row fails both ways.
const ALL_CODES: SandboxErrorCode[] = [
  "BAD_REQUEST",
  "CAPACITY",
  "DOCKER_UNAVAILABLE",
  "TIMEOUT",
  "CANCELLED",
  "NOT_READY",
  "SYNC_FAILED",
  "CONTAINER_LOST",
  "INTERNAL",
];

describe("fromSandboxError", () => {
  it("has a row for every engine code, and only for those", () => {
    expect(Object.keys(SANDBOX_ERROR_MAPPING).sort()).toEqual([...ALL_CODES].sort());
  });

  it("maps a lost container to a retryable 503 that names no container", () => {
    const mapped = fromSandboxError(new SandboxError("CONTAINER_LOST", "container 0123456789ab is not running"));
    expect(mapped).toBeInstanceOf(AppError);
    const pub = toPublicError(mapped);
    expect(pub).toMatchObject({ status: 503, code: "UNAVAILABLE", retryAfterSeconds: 1, requestId: expect.any(String) });
    expect(pub.message).toMatch(/container stopped unexpectedly.*Try again/);
    expect(pub.message).not.toContain("0123456789ab");
  });

  it("keeps the engine's message for codes written for the caller", () => {
    const pub = toPublicError(new SandboxError("BAD_REQUEST", "timeout 900 s is above the 300 s ceiling"));
    expect(pub).toMatchObject({ status: 400, message: "timeout 900 s is above the 300 s ceiling" });
  });

  it.each(ALL_CODES)("%s becomes an HTTP status the API knows", (code) => {
    const pub = toPublicError(new SandboxError(code, "detail"));
    expect(Object.values(HTTP_STATUS)).toContain(pub.status);
    if (code === "INTERNAL") expect(pub).toMatchObject({ status: 500, message: INTERNAL_MESSAGE });
  });
});

describe("toPublicError", () => {
  it("withholds the message of unknown errors and of AppError INTERNAL, with a request id instead", () => {
    for (const err of [new Error("connect 10.0.0.5 password=hunter2"), new AppError("INTERNAL", "pool state corrupt at 0xdead"), "a string"]) {
      const pub = toPublicError(err, () => "req-1");
      expect(pub).toEqual({ status: 500, code: "INTERNAL", message: INTERNAL_MESSAGE, requestId: "req-1" });
    }
  });

  it("passes known errors through with their status and Retry-After", () => {
    expect(toPublicError(new AppError("TOO_MANY_REQUESTS", "slow down", { retryAfterSeconds: 7 }))).toEqual({
      status: 429,
      code: "TOO_MANY_REQUESTS",
      message: "slow down",
      retryAfterSeconds: 7,
    });
    expect(toPublicError(new AppError("NOT_FOUND", "Project 9 not found"))).toEqual({ status: 404, code: "NOT_FOUND", message: "Project 9 not found" });
  });

  it("turns a ZodError into a 400 with its issues", () => {
    const parsed = z.strictObject({ name: z.string() }).safeParse({ name: 1 });
    expect(parsed.success).toBe(false);
    const pub = toPublicError(parsed.error);
    expect(pub).toMatchObject({ status: 400, code: "BAD_REQUEST", issues: [{ path: "name" }] });
  });
});

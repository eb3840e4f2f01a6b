import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { getAppRuntime } from "@/server/process/app-runtime";
import { SandboxError } from "@/server/sandbox/errors";
import { errorResponse } from "./rest-response";

function captureLog(): string[] {
  const lines: string[] = [];
  // The logger getLogger() hands out is the process registry's.
  getAppRuntime().logger = pino(
    { base: {} },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  return lines;
}

afterEach(() => {
  delete getAppRuntime().logger;
});

describe("errorResponse", () => {
  it("hides an internal message; the body, X-Request-Id and the log line carry one request id", async () => {
    const log = captureLog();
    const res = errorResponse(new Error("connect 10.0.0.5 password=hunter2"), new Request("http://app/api/sandbox/projects", { method: "POST" }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("10.0.0.5");
    const body = JSON.parse(text) as { error: { code: string; message: string; request_id: string } };
    expect(body.error).toMatchObject({ code: "INTERNAL", message: "Internal server error" });
    expect(body.error.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-request-id")).toBe(body.error.request_id);
    expect(log).toHaveLength(1);
    const line = JSON.parse(log[0] ?? "{}") as { requestId: string; method: string; path: string; err: { message: string } };
    expect(line).toMatchObject({ requestId: body.error.request_id, method: "POST", path: "/api/sandbox/projects" });
    expect(line.err.message).toContain("hunter2"); // the operator sees the detail, the caller does not
  });

  it("answers a lost container with a retryable 503, logged as a warning under its request id", async () => {
    const log = captureLog();
    const res = errorResponse(new SandboxError("CONTAINER_LOST", "container 0123456789ab is not running"));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).toBe("UNAVAILABLE");
    expect(body.error.message).toContain("Try again");
    expect(res.headers.get("x-request-id")).toBe(body.error.request_id);
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0] ?? "{}")).toMatchObject({
      level: 40,
      requestId: body.error.request_id,
      err: { message: "container 0123456789ab is not running" },
    });
  });
});

import { describe, expect, it } from "vitest";
import { readJsonBody } from "./read-json-body";

const req = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://x/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readJsonBody", () => {
  it("parses JSON within the cap", async () => {
    await expect(readJsonBody(req('{"a":1}'), 100)).resolves.toEqual({ a: 1 });
  });
  it("refuses a declared Content-Length above the cap without reading", async () => {
    await expect(readJsonBody(req("{}", { "content-length": "5000" }), 100)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });
  it("refuses a body that grows past the cap while streaming", async () => {
    await expect(readJsonBody(req(JSON.stringify({ a: "x".repeat(500) })), 100)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringContaining("SANDBOX_MAX_BODY_BYTES"),
    });
  });
  it("answers malformed or missing JSON with BAD_REQUEST", async () => {
    await expect(readJsonBody(req("{nope"), 100)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("not valid JSON") });
    await expect(readJsonBody(req(null), 100)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { applySecurityHeaders, contentSecurityPolicy } from "./security-headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

describe("content security policy", () => {
  const policy = directives(contentSecurityPolicy({ nonce: "abc123", dev: false, frameSources: ["http://localhost:*"] }));

  it("runs scripts only from the app or with this response's nonce: no inline, no eval, no other host", () => {
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
  });

  it("allows Monaco's workers explicitly and frames only previews, and only the app may frame it", () => {
    expect(policy.get("worker-src")).toEqual(["'self'", "blob:"]);
    expect(policy.get("media-src")).toEqual(["'self'", "data:"]);
    expect(policy.get("frame-src")).toEqual(["http://localhost:*"]);
    expect(policy.get("frame-ancestors")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
  });

  it("allows eval only in development, and frames nothing when there are no previews", () => {
    const dev = directives(contentSecurityPolicy({ nonce: "n", dev: true, frameSources: [] }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.get("frame-src")).toEqual(["'none'"]);
  });
});

describe("headers on every answer", () => {
  it("sets the policy, nosniff, a same-origin referrer and same-origin framing, whoever answers after", async () => {
    const server = createServer((req, res) => {
      applySecurityHeaders(req, res, { dev: false, frameSources: [] });
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
      expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'self'");
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "./security-headers";

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

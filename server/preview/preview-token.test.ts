import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type PreviewTokenClaims, previewTokenKey, signPreviewToken, verifyPreviewToken } from "./preview-token";

const key = previewTokenKey("a-test-secret-of-at-least-32-characters!");
const now = 1_800_000_000;
const claims: PreviewTokenClaims = { kind: "handoff", processId: 7, slot: 4101, userId: 3, sessionVersion: 2, scopes: ["read", "run"], expiresAt: now + 120 };

describe("preview tokens", () => {
  it("verify with the same key, kind and time, giving back the claims", () => {
    expect(verifyPreviewToken(key, signPreviewToken(key, claims), "handoff", now)).toEqual(claims);
  });

  it("expire: refused at and after expiresAt", () => {
    const token = signPreviewToken(key, claims);
    expect(verifyPreviewToken(key, token, "handoff", now + 119)).not.toBeNull();
    expect(verifyPreviewToken(key, token, "handoff", now + 120)).toBeNull();
    expect(verifyPreviewToken(key, token, "handoff", now + 10_000)).toBeNull();
  });

  it("are refused when tampered with: any body or signature change, another key, another kind", () => {
    const token = signPreviewToken(key, claims);
    const [v, body, sig] = token.split(".") as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ k: "handoff", p: 8, s: 4101, u: 3, sc: ["read", "run"], e: now + 120 })).toString("base64url");
    expect(verifyPreviewToken(key, `${v}.${forged}.${sig}`, "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, `${v}.${body}.${sig.slice(0, -2)}AA`, "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, `${v}.${body}.`, "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, `pv2.${body}.${sig}`, "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, `${token}.x`, "handoff", now)).toBeNull();
    expect(verifyPreviewToken(previewTokenKey("another-secret-of-at-least-32-characters"), token, "handoff", now)).toBeNull();
    // A hand-off token is not a cookie token, nor the reverse.
    expect(verifyPreviewToken(key, token, "cookie", now)).toBeNull();
    expect(verifyPreviewToken(key, signPreviewToken(key, { ...claims, kind: "cookie" }), "handoff", now)).toBeNull();
  });

  it("refuse garbage without throwing", () => {
    for (const junk of ["", "%", "pv1", "pv1..", "pv1.%%%.%%%", "x".repeat(10_000), "pv1.e30.AAAA"])
      expect(verifyPreviewToken(key, junk, "cookie", now)).toBeNull();
  });

  it("refuse well-signed bodies with bad claims", () => {
    const sign = (body: object) => {
      // Sign arbitrary JSON the way signPreviewToken does, to check the claim validation alone.
      const token = signPreviewToken(key, claims);
      const [v] = token.split(".");
      const encoded = Buffer.from(JSON.stringify(body)).toString("base64url");
      return `${v}.${encoded}.${createHmac("sha256", key).update(`${v}.${encoded}`).digest("base64url")}`;
    };
    expect(verifyPreviewToken(key, sign({ k: "handoff", p: 7, s: 4101, u: 3, v: 0, sc: ["read"], e: now + 5 }), "handoff", now)).not.toBeNull();
    // No session version (a token from before versions), or a malformed one: refused.
    expect(verifyPreviewToken(key, sign({ k: "handoff", p: 7, s: 4101, u: 3, sc: ["read"], e: now + 5 }), "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, sign({ k: "handoff", p: 7, s: 4101, u: 3, v: -1, sc: ["read"], e: now + 5 }), "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, sign({ k: "handoff", p: 7, s: 4101, u: 3, v: 0, sc: ["admin"], e: now + 5 }), "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, sign({ k: "handoff", p: -1, s: 4101, u: 3, sc: [], e: now + 5 }), "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, sign({ k: "handoff", p: 7, s: 4101, u: "3", sc: [], e: now + 5 }), "handoff", now)).toBeNull();
    expect(verifyPreviewToken(key, sign([1, 2]), "handoff", now)).toBeNull();
  });

  it("need the app's secret", () => {
    expect(() => previewTokenKey("short")).toThrow(/NEXTAUTH_SECRET/);
  });
});

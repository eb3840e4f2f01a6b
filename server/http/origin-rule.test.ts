import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalOrigin, isJson, judgeRequest, type RequestFacts } from "./origin-rule";

const APP = "http://localhost:3000";

function facts(overrides: Partial<RequestFacts>): RequestFacts {
  return {
    method: "POST",
    path: "/api/sandbox/projects",
    origin: APP,
    secFetchSite: null,
    hasCookie: true,
    hasAuthorization: false,
    contentType: "application/json",
    hasBody: true,
    upgrade: false,
    ...overrides,
  };
}

const refusedWith = (f: Partial<RequestFacts>) => {
  const verdict = judgeRequest(facts(f), APP);
  return verdict.allowed ? "allowed" : `${verdict.status} ${verdict.reason}`;
};

describe("origin rule: cookie-authenticated state changes", () => {
  it("allows the app's own origin", () => {
    expect(refusedWith({})).toBe("allowed");
    expect(refusedWith({ origin: "http://LOCALHOST:3000" })).toBe("allowed");
    expect(judgeRequest(facts({ origin: "https://app.example.com" }), "https://app.example.com:443/")).toEqual({ allowed: true });
  });

  it("refuses every other origin: other port, scheme, subdomain, parent, null, garbage", () => {
    for (const origin of [
      "http://localhost:4101",
      "https://localhost:3000",
      "http://127.0.0.1:3000",
      "http://sub.localhost:3000",
      "http://localhost",
      "null",
      "",
      "localhost:3000",
      "http://localhost:3000.evil.com",
      "http://localhost:3000@evil.com",
      "file://",
      "data:text/html,hi",
    ]) {
      expect(refusedWith({ origin }), origin).toBe("403 cross_origin");
    }
  });

  it("refuses a request with a cookie and neither Origin nor Sec-Fetch-Site; a forged Referer does not help", () => {
    expect(refusedWith({ origin: null })).toBe("403 origin_missing");
    // The rule never reads Referer: a page cannot make it count.
    expect(refusedWith({ origin: null, secFetchSite: null })).toBe("403 origin_missing");
  });

  it("without an Origin, trusts only Sec-Fetch-Site: same-origin", () => {
    expect(refusedWith({ origin: null, secFetchSite: "same-origin" })).toBe("allowed");
    for (const site of ["same-site", "cross-site", "none", "SAME-SITE"])
      expect(refusedWith({ origin: null, secFetchSite: site }), site).toBe("403 cross_origin");
  });

  it("an Origin header decides over Sec-Fetch-Site", () => {
    expect(refusedWith({ origin: "http://localhost:4101", secFetchSite: "same-origin" })).toBe("403 cross_origin");
  });

  it("lets anonymous non-browser requests through (nothing to forge; the route answers 401)", () => {
    expect(refusedWith({ origin: null, hasCookie: false })).toBe("allowed");
    // …but a browser that says where it comes from is held to it, cookie or not (login CSRF).
    expect(refusedWith({ origin: "http://localhost:4101", hasCookie: false, path: "/api/auth/callback/credentials" })).toBe("403 cross_origin");
  });

  it("leaves bearer-key requests alone, whatever their origin or content type", () => {
    expect(refusedWith({ hasAuthorization: true, origin: "http://evil.example" })).toBe("allowed");
    expect(refusedWith({ hasAuthorization: true, origin: null, contentType: "text/plain" })).toBe("allowed");
  });

  it("leaves safe methods alone, but holds upgrades (WebSockets) to the rule", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) expect(refusedWith({ method, origin: "http://evil.example" }), method).toBe("allowed");
    expect(refusedWith({ method: "GET", upgrade: true, origin: "http://localhost:4101" })).toBe("403 cross_origin");
    expect(refusedWith({ method: "GET", upgrade: true, origin: APP })).toBe("allowed");
  });

  it("holds every unsafe method", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"])
      expect(refusedWith({ method, origin: "http://localhost:4101" }), method).toBe("403 cross_origin");
  });

  it("REST bodies from cookie sessions must be JSON (415), with parameters allowed", () => {
    expect(refusedWith({ contentType: "application/json; charset=utf-8" })).toBe("allowed");
    expect(refusedWith({ contentType: "Application/JSON" })).toBe("allowed");
    for (const contentType of ["text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/jsonp", null]) {
      expect(refusedWith({ contentType }), String(contentType)).toBe("415 not_json");
    }
    // No body, nothing to type; and the JSON rule is the REST API's, tRPC and next-auth keep theirs.
    expect(refusedWith({ contentType: null, hasBody: false })).toBe("allowed");
    expect(refusedWith({ contentType: "application/x-www-form-urlencoded", path: "/api/auth/callback/credentials" })).toBe("allowed");
  });

  it("is never fooled by an arbitrary Origin value (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom("POST", "PUT", "DELETE", "PATCH"), (origin, method) => {
        const verdict = judgeRequest(facts({ origin, method }), APP);
        return verdict.allowed === (canonicalOrigin(origin) === APP);
      }),
    );
    fc.assert(
      fc.property(fc.webUrl(), (url) => {
        const verdict = judgeRequest(facts({ origin: url }), APP);
        return verdict.allowed === (new URL(url).origin === APP);
      }),
    );
  });
});

describe("isJson", () => {
  it("accepts application/json only", () => {
    expect(isJson("application/json")).toBe(true);
    expect(isJson(" application/json ; charset=UTF-8")).toBe(true);
    expect(isJson("application/json-patch+json")).toBe(false);
    expect(isJson("")).toBe(false);
  });
});

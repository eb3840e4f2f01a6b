import { describe, expect, it } from "vitest";
import { type PreviewGrant, type PreviewRequestFacts, previewRequestRefusal } from "./preview-request-rules";

const own = "http://localhost:4101";
const cookieRun: PreviewGrant = { via: "preview_cookie", scopes: ["read", "run"] };
const cookieRead: PreviewGrant = { via: "preview_cookie", scopes: ["read"] };
const keyRead: PreviewGrant = { via: "api_key", scopes: ["read"] };
const keyRun: PreviewGrant = { via: "api_key", scopes: ["read", "run"] };
const req = (f: Partial<PreviewRequestFacts>): PreviewRequestFacts => ({
  method: "GET",
  upgrade: false,
  origin: undefined,
  secFetchSite: undefined,
  secFetchMode: undefined,
  ...f,
});

describe("previewRequestRefusal", () => {
  it("lets reads through for either credential", () => {
    for (const grant of [cookieRun, cookieRead, keyRead, keyRun])
      for (const method of ["GET", "HEAD", "OPTIONS", "get"]) expect(previewRequestRefusal(req({ method }), own, grant)).toBeNull();
  });

  it("needs executions:run for anything else, and for WebSocket handshakes", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"]) {
      expect(previewRequestRefusal(req({ method }), own, keyRead)).toMatch(/executions:run/);
      expect(previewRequestRefusal(req({ method, origin: own }), own, cookieRead)).toMatch(/executions:run/);
      expect(previewRequestRefusal(req({ method }), own, keyRun)).toBeNull();
    }
    expect(previewRequestRefusal(req({ upgrade: true, origin: own }), own, cookieRead)).toMatch(/executions:run/);
    expect(previewRequestRefusal(req({ upgrade: true, origin: own }), own, cookieRun)).toBeNull();
  });

  it("accepts unsafe requests and handshakes from the preview's own origin only", () => {
    for (const upgrade of [false, true]) {
      const method = upgrade ? "GET" : "POST";
      expect(previewRequestRefusal(req({ method, upgrade, origin: own }), own, cookieRun)).toBeNull();
      expect(previewRequestRefusal(req({ method, upgrade, origin: "HTTP://LOCALHOST:4101" }), own, cookieRun)).toBeNull();
      for (const origin of ["http://localhost:4102", "http://localhost:3000", "https://localhost:4101", "http://evil.example", "null", ""])
        expect(previewRequestRefusal(req({ method, upgrade, origin }), own, cookieRun)).toMatch(/only from http:\/\/localhost:4101/);
      // Another origin is refused even with a key.
      expect(previewRequestRefusal(req({ method, upgrade, origin: "http://localhost:4102" }), own, keyRun)).not.toBeNull();
    }
  });

  it("accepts no Origin only from an API key: a browser always sends one on these", () => {
    expect(previewRequestRefusal(req({ method: "POST" }), own, cookieRun)).toMatch(/Origin/);
    expect(previewRequestRefusal(req({ upgrade: true }), own, cookieRun)).toMatch(/Origin/);
    expect(previewRequestRefusal(req({ method: "POST" }), own, keyRun)).toBeNull();
    expect(previewRequestRefusal(req({ upgrade: true }), own, keyRun)).toBeNull();
  });

  it("refuses, with the cookie, reads another origin's page makes (Fetch Metadata), but not navigations", () => {
    for (const site of ["same-site", "cross-site"]) {
      for (const mode of ["cors", "no-cors", "same-origin"])
        expect(previewRequestRefusal(req({ secFetchSite: site, secFetchMode: mode }), own, cookieRun)).toMatch(/only pages of/);
      expect(previewRequestRefusal(req({ secFetchSite: site, secFetchMode: "navigate" }), own, cookieRun)).toBeNull();
    }
    for (const site of ["same-origin", "none", undefined])
      expect(previewRequestRefusal(req({ secFetchSite: site, secFetchMode: "cors" }), own, cookieRun)).toBeNull();
    // An API key is no ambient credential: a script may read from anywhere.
    expect(previewRequestRefusal(req({ secFetchSite: "cross-site", secFetchMode: "cors" }), own, keyRead)).toBeNull();
  });
});

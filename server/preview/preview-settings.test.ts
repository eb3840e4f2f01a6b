import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import {
  describePreviews,
  previewFrameSources,
  previewCookie,
  previewOrigin,
  previewSettings,
  previewUrl,
  refusedPortReason,
  slotOfHost,
} from "./preview-settings";

describe("previewSettings", () => {
  it("serves previews on the app's host name with the listener's port, and denies the app's own ports", () => {
    const settings = previewSettings(parseEnv({ PORT: "3110", PANTHEON_PG_PORT: "54400" }), "http://localhost:3110");
    expect(settings.origin).toBe("http://localhost");
    expect(previewUrl(settings, 4100)).toBe("http://localhost:4100/");
    expect(settings.host).toBe("127.0.0.1");
    for (const port of [22, 2375, 2376, 5432, 3306, 6379, 27017, 9200, 11211, 3110, 54400]) expect(settings.deniedPorts.has(port)).toBe(true);
  });

  it("takes an explicit origin and bind host", () => {
    const settings = previewSettings(
      parseEnv({ SANDBOX_PREVIEW_ORIGIN: "https://sandbox.example.com/", SANDBOX_PREVIEW_HOST: "0.0.0.0" }),
      "https://app.example.com",
    );
    expect(previewUrl(settings, 4150)).toBe("https://sandbox.example.com:4150/");
    expect(settings.host).toBe("0.0.0.0");
  });
});

describe("domain mode (SANDBOX_PREVIEW_DOMAIN)", () => {
  it("names each preview by a host of its own under the base, served by one listener", () => {
    const settings = previewSettings(parseEnv({ SANDBOX_PREVIEW_DOMAIN: "https://Preview.Example.com" }), "https://app.example.com");
    expect(settings.domain).toEqual({ scheme: "https:", base: "preview.example.com", publicPort: "", listenPort: 4100 });
    expect(previewUrl(settings, 4107)).toBe("https://4107.preview.example.com/");
    expect(previewCookie(settings)).toEqual({ hostPrefix: true, attributes: "HttpOnly; Secure; SameSite=None; Partitioned" });
    const local = previewSettings(parseEnv({ SANDBOX_PREVIEW_DOMAIN: "http://preview.localhost:3201" }), "http://localhost:3200");
    expect(previewOrigin(local, 4100)).toBe("http://4100.preview.localhost:3201");
    expect(local.domain?.listenPort).toBe(3201);
    expect(
      previewSettings(parseEnv({ SANDBOX_PREVIEW_DOMAIN: "https://p.example.com", SANDBOX_PREVIEW_LISTEN_PORT: "8443" }), "https://a").domain?.listenPort,
    ).toBe(8443);
    // http://*.localhost is a secure context to browsers: partitioned, so a cross-site frame keeps it.
    expect(previewCookie(local)).toEqual({ hostPrefix: false, attributes: "HttpOnly; Secure; SameSite=None; Partitioned" });
    expect(previewCookie(previewSettings(parseEnv({}), "http://localhost:3000")).attributes).toContain("Partitioned");
    expect(previewCookie(previewSettings(parseEnv({}), "http://127.0.0.1:3000"))).toEqual({ hostPrefix: false, attributes: "HttpOnly; SameSite=Lax" });
    expect(previewCookie(previewSettings(parseEnv({ SANDBOX_PREVIEW_DOMAIN: "http://preview.lan.example" }), "http://a.lan.example")).attributes).toBe(
      "HttpOnly; SameSite=Lax",
    );
    expect(previewFrameSources(local)).toEqual(["http://*.preview.localhost:3201"]);
    expect(previewFrameSources(settings)).toEqual(["https://*.preview.example.com"]);
    expect(previewFrameSources(previewSettings(parseEnv({}), "http://localhost:3000"))).toEqual(["http://localhost:*"]);
    expect(describePreviews(local)).toBe("previews: http://<n>.preview.localhost:3201/ (n 4100-4199), one listener on 127.0.0.1:3201");
    expect(describePreviews(previewSettings(parseEnv({}), "http://localhost:3000"))).toContain("http://localhost:<port>/ on ports 4100-4199");
  });

  it("refuses a domain with a path, a bare name, or a listener on the app's port", () => {
    expect(() => parseEnv({ SANDBOX_PREVIEW_DOMAIN: "https://preview.example.com/x" })).toThrow(/SANDBOX_PREVIEW_DOMAIN/);
    expect(() => parseEnv({ SANDBOX_PREVIEW_DOMAIN: "https://localhost" })).toThrow(/SANDBOX_PREVIEW_DOMAIN/);
    expect(() => parseEnv({ SANDBOX_PREVIEW_DOMAIN: "ftp://preview.example.com" })).toThrow(/SANDBOX_PREVIEW_DOMAIN/);
    expect(() => parseEnv({ PORT: "3000", SANDBOX_PREVIEW_LISTEN_PORT: "3000" })).toThrow(/SANDBOX_PREVIEW_LISTEN_PORT/);
  });

  it("routes by Host: <slot>.<base> only, any port, any case", () => {
    const domain = { base: "preview.example.com" };
    expect(slotOfHost(domain, "4101.preview.example.com")).toBe(4101);
    expect(slotOfHost(domain, "4101.PREVIEW.example.com:443")).toBe(4101);
    expect(slotOfHost(domain, "4101.preview.example.com.")).toBe(4101);
    for (const host of [
      undefined,
      "",
      "preview.example.com",
      "x.preview.example.com",
      "4101.evil.com",
      "4101.preview.example.com.evil.com",
      "1.4101.preview.example.com",
      "04101.preview.example.com",
      "999999.preview.example.com",
      "4101preview.example.com",
    ])
      expect(slotOfHost(domain, host)).toBeNull();
  });
});

describe("refusedPortReason", () => {
  const settings = previewSettings(parseEnv({}), "http://localhost:3000");

  it("accepts ordinary dev server ports", () => {
    for (const port of [1024, 5173, 8080, 3001, 65535]) expect(refusedPortReason(port, settings)).toBeNull();
  });

  it("refuses privileged, out-of-range and denylisted ports, naming why", () => {
    for (const port of [0, 80, 1023, 65536, 3.5, Number.NaN]) expect(refusedPortReason(port, settings)).toMatch(/1024 to 65535/);
    for (const port of [22, 2375, 2376, 5432, 3306, 6379, 27017, 9200, 11211, 3000, 54329]) expect(refusedPortReason(port, settings)).toMatch(/denylist/);
  });
});

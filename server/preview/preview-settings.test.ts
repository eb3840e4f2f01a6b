import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { previewSettings, previewUrl, refusedPortReason } from "./preview-settings";

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

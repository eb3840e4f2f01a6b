import { describe, expect, it } from "vitest";
import { bearerToken, generateApiKey, hashApiKey, parseApiKey } from "./api-key-format";

describe("API key format", () => {
  it("generates keys that parse back to their prefix and hash deterministically", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(parseApiKey(a.key)).toEqual({ prefix: a.prefix });
    expect(a.key.startsWith(`${a.prefix}_`)).toBe(true);
    expect(hashApiKey(a.key)).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.key);
  });

  it("rejects malformed keys", () => {
    const { key } = generateApiKey();
    for (const bad of ["", "psk_", key.slice(0, -1), `${key}x`, key.replace("psk_", "pk_"), "Bearer " + key, key.replace(/_([^_]*)$/, "_$1!")]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it("reads only well-formed Bearer headers", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken("Bearer")).toBeNull();
    expect(bearerToken("Bearer a b")).toBeNull();
    expect(bearerToken(null)).toBeNull();
  });
});

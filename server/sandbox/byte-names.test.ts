import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkStoredPath, isEscapedPath, nameOfPath, pathOfName } from "./byte-names";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("byte names: escaped paths for names that are not UTF-8", () => {
  it("keeps a UTF-8 name as its text and escapes only the invalid bytes", () => {
    expect(pathOfName(bytes("src/café.ts"))).toEqual({ ok: true, path: "src/café.ts" });
    expect(pathOfName(bytes([0xff, 0xfe], ".bin"))).toEqual({ ok: true, path: "\\xff\\xfe.bin" });
    expect(pathOfName(bytes("caf", [0xe9], "/x.txt"))).toEqual({ ok: true, path: "caf\\xe9/x.txt" });
    // A valid sequence beside an invalid byte stays text: only the invalid byte is escaped.
    expect(pathOfName(bytes("é", [0x80]))).toEqual({ ok: true, path: "é\\x80" });
  });

  it("round-trips any name the rules accept, byte for byte", () => {
    for (let i = 0; i < 500; i++) {
      const segment = Buffer.from([...randomBytes(1 + (i % 40))].map((b) => (b < 0x20 || b === 0x2f || b === 0x5c || b === 0x7f ? 0x80 | b : b)));
      const name = i % 3 ? segment : Buffer.concat([Buffer.from("dir/"), segment]);
      const check = pathOfName(name);
      if (!check.ok) {
        // Only '.'-segments can be refused after the substitution above.
        expect(check.reason).toMatch(/segment|'\.\.'/);
        continue;
      }
      expect(nameOfPath(check.path)?.equals(name)).toBe(true);
      expect(checkStoredPath(check.path)).toEqual({ ok: true, path: check.path });
      // Printable: no control characters, no lone surrogates in what is shown or stored.
      expect(check.path).not.toMatch(/[\u0000-\u001f\u007f\p{Cs}]/u);
    }
  });

  it("never collides with a text path: a text path holds no backslash", () => {
    expect(checkStoredPath("\\xff.bin").ok).toBe(true);
    expect(isEscapedPath("\\xff.bin")).toBe(true);
    expect(pathOfName(bytes("\\xff.bin"))).toEqual({ ok: false, reason: "backslash in path" });
  });

  it("accepts only the canonical escaped form, so one name has one path", () => {
    expect(checkStoredPath("\\xFF.bin").ok).toBe(false); // uppercase hex
    expect(checkStoredPath("\\x41.bin").ok).toBe(false); // "A" is valid UTF-8: its path is "A.bin"
    expect(checkStoredPath("\\xc3\\xa9.bin").ok).toBe(false); // é: valid UTF-8, its path is "é.bin"
    expect(checkStoredPath("\\\\xff").ok).toBe(false); // a backslash byte
    expect(checkStoredPath("a\\b").ok).toBe(false);
    expect(checkStoredPath("\\x").ok).toBe(false);
    expect(checkStoredPath("\\xff\ud800").ok).toBe(false); // a lone surrogate has no bytes
    expect(nameOfPath("\\xFF.bin")).toBeNull();
  });

  it("refuses hostile names whatever their bytes", () => {
    const refused = (name: Buffer) => pathOfName(name);
    expect(refused(bytes("../", [0xff]))).toMatchObject({ ok: false, reason: "'..' in path" });
    expect(refused(bytes([0xff], "/../x"))).toMatchObject({ ok: false, reason: "'..' in path" });
    expect(refused(bytes("/etc/", [0xff]))).toMatchObject({ ok: false, reason: "absolute path" });
    expect(refused(bytes([0xff], "\n"))).toMatchObject({ ok: false, reason: "control character in path" });
    expect(refused(bytes([0xff, 0x1b], "[31m"))).toMatchObject({ ok: false, reason: "control character in path" });
    expect(refused(bytes([0xff, 0x00]))).toMatchObject({ ok: false, reason: "control character in path" });
    expect(refused(bytes([0xff], "\\x"))).toMatchObject({ ok: false });
    expect(refused(bytes([0xff], "//x"))).toMatchObject({ ok: false, reason: "empty path segment" });
    // Over-long: 130 invalid bytes escape to 520 characters, above the store's VARCHAR(500).
    expect(refused(Buffer.alloc(130, 0xff))).toMatchObject({ ok: false, reason: expect.stringContaining("longer than 500") as string });
    expect(refused(Buffer.alloc(120, 0xff))).toMatchObject({ ok: true });
    // The same checks guard paths coming in from the API.
    expect(checkStoredPath("\\xff/../etc/passwd").ok).toBe(false);
    expect(checkStoredPath("/\\xff").ok).toBe(false);
    expect(nameOfPath("\\xff/../x")).toBeNull();
  });
});

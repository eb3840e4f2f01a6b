import { describe, expect, it } from "vitest";
import { escapeForLog, redactSecrets } from "./log-escape";

describe("escapeForLog", () => {
  it("strips ANSI sequences, including OSC title changes", () => {
    expect(escapeForLog("\u001b[31mred\u001b[0m \u001b]0;pwned\u0007title \u001b[2J")).toBe("red title ");
  });

  it("makes newlines and control characters visible, so output cannot forge log lines", () => {
    const forged = 'ok\n{"level":"error","action":"fake"}\r\u0000\u0008\u007f\u0085';
    const out = escapeForLog(forged);
    expect(out).not.toMatch(/[\n\r\u0000-\u001f\u007f-\u009f]/);
    expect(out).toBe('ok\\n{"level":"error","action":"fake"}\\r\\u0000\\u0008\\u007f\\u0085');
  });

  it("neutralises bidi overrides and unicode line separators", () => {
    expect(escapeForLog("a\u202eb\u2066c\u2028d")).toBe("a\\u202eb\\u2066c\\u2028d");
  });

  it("caps the length and says how much was dropped", () => {
    expect(escapeForLog("x".repeat(30), 10)).toBe(`${"x".repeat(10)}…[+20 chars]`);
  });
});

describe("redactSecrets", () => {
  it("masks API keys, bearer tokens, password assignments and URL credentials", () => {
    const key = `psk_0123abcd_${"A".repeat(43)}`;
    const text = `key ${key} Authorization: Bearer abcdefghijklmnop password=hunter2 api_key: "s3cr3t" postgres://app:pw123@db:5432/x`;
    const out = redactSecrets(text);
    for (const secret of [key, "abcdefghijklmnop", "hunter2", "s3cr3t", "pw123"]) expect(out).not.toContain(secret);
    expect(out).toContain("psk_[redacted]");
    expect(out).toContain("postgres://app:[redacted]@db:5432/x");
  });

  it("leaves ordinary text alone", () => {
    expect(redactSecrets("compiled 3 files in 120 ms")).toBe("compiled 3 files in 120 ms");
  });
});

import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from "./password-policy";

describe("passwordProblem (NIST 800-63B: length, breached list, no composition rules)", () => {
  it("accepts long passphrases of any characters, without composition rules", () => {
    for (const ok of [
      "correct horse battery staple",
      "a strong password 42",
      "all lower case words here",
      "пароль-на-русском-языке",
      "🙂🙃🙂 emoji are fine 🙃",
      "x".repeat(5) + "y".repeat(7),
    ]) {
      expect(passwordProblem(ok), ok).toBeNull();
    }
    expect(passwordProblem("z".repeat(PASSWORD_MAX_LENGTH - 1) + "q")).toBeNull();
  });

  it("refuses short and overlong passwords, counting characters, not bytes", () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(passwordProblem("elevenchars")).toBe("must be at least 12 characters");
    expect(passwordProblem("🙂".repeat(11))).toBe("must be at least 12 characters");
    expect(passwordProblem("q".repeat(PASSWORD_MAX_LENGTH + 1) + "z")).toBe(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  });

  it("refuses passwords from the breach list, in any case, and common words dressed with digits or symbols", () => {
    for (const common of ["1qaz2wsx3edc", "qwertyuiop12", "QAZWSXEDCRFV", "leavemealone", "password1234", "Password2024!", "!!monkey123456", "football 2025"]) {
      expect(passwordProblem(common), common).toMatch(/most common passwords/);
    }
  });

  it("refuses one short unit repeated, and the account's own email", () => {
    for (const repeated of ["aaaaaaaaaaaa", "abcabcabcabc", "121212121212", "zxcvzxcvzxcv"]) expect(passwordProblem(repeated), repeated).not.toBeNull();
    expect(passwordProblem("someone@example.com", { email: "someone@example.com" })).toBe("must not be your email address");
    expect(passwordProblem("longusername2024", { email: "longusername@example.com" })).toBe("must not be your email address");
    expect(passwordProblem("longusername is my name", { email: "longusername@example.com" })).toBeNull();
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sessionCookieFrom, sessionCookieName } from "./session-cookie";

const plain = sessionCookieName(false);
const secure = sessionCookieName(true);

describe("sessionCookieFrom", () => {
  it("finds the one session cookie among others", () => {
    expect(sessionCookieFrom(`theme=dark; ${plain}=abc.def; other=1`, false)).toEqual({ kind: "one", name: plain, value: "abc.def" });
    expect(sessionCookieFrom(`${secure}=tok`, true)).toEqual({ kind: "one", name: secure, value: "tok" });
    expect(sessionCookieFrom(null, false)).toEqual({ kind: "none" });
    expect(sessionCookieFrom("", false)).toEqual({ kind: "none" });
    expect(sessionCookieFrom("theme=dark", false)).toEqual({ kind: "none" });
  });

  it("ignores cookies it cannot decode instead of throwing (x=% set by a previewed page)", () => {
    expect(sessionCookieFrom("x=%", false)).toEqual({ kind: "none" });
    expect(sessionCookieFrom(`x=%; ${plain}=tok; y=%E0%A4%A`, false)).toEqual({ kind: "one", name: plain, value: "tok" });
    expect(sessionCookieFrom(`${plain}=%zz`, false)).toEqual({ kind: "one", name: plain, value: "%zz" });
  });

  it("refuses to choose between two session cookies, whichever order they come in", () => {
    for (const header of [`${plain}=mine; ${plain}=theirs`, `${plain}=theirs; a=1; ${plain}=mine`, `${plain}=same;${plain}=same`]) {
      expect(sessionCookieFrom(header, false)).toEqual({ kind: "ambiguous", names: [plain, plain] });
    }
    expect(sessionCookieFrom(`${secure}=a; x=%; ${secure}=b`, true).kind).toBe("ambiguous");
  });

  it("refuses chunked session cookies, alone or beside the whole one (next-auth would concatenate them)", () => {
    expect(sessionCookieFrom(`${plain}.0=half; ${plain}.1=other-half`, false)).toEqual({ kind: "ambiguous", names: [`${plain}.0`, `${plain}.1`] });
    expect(sessionCookieFrom(`${plain}=whole; ${plain}.0=planted`, false).kind).toBe("ambiguous");
    expect(sessionCookieFrom(`${plain}.0=alone`, false).kind).toBe("ambiguous");
  });

  it("reads only the name the deployment uses; the other prefix variant is never read, so never chosen", () => {
    expect(sessionCookieFrom(`${secure}=planted; ${plain}=mine`, false)).toEqual({ kind: "one", name: plain, value: "mine" });
    expect(sessionCookieFrom(`${plain}=stale-from-http; ${secure}=mine`, true)).toEqual({ kind: "one", name: secure, value: "mine" });
    expect(sessionCookieFrom(`${plain}=only-http-one`, true)).toEqual({ kind: "none" });
    // Look-alike names are neither the session nor a reason to refuse it.
    expect(sessionCookieFrom(`${plain}x=1; ${plain}.x=2; __Host-${plain}=3; ${plain}=mine`, false)).toEqual({ kind: "one", name: plain, value: "mine" });
  });

  it("never throws and never returns a session for a header without the exact name (fuzz)", () => {
    const cookieish = fc.array(
      fc.oneof(fc.string(), fc.constantFrom("%", "%E0%A4%A", "=", ";", '"', " ", "\t", "__proto__", "constructor", plain, `${plain}.0`, `${plain}=`, secure)),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(cookieish, fc.boolean(), (parts, isSecure) => {
        const header = parts.join("");
        const result = sessionCookieFrom(header, isSecure);
        if (result.kind === "one") expect(header).toContain(sessionCookieName(isSecure));
        if (!header.includes(sessionCookieName(isSecure))) expect(result.kind).toBe("none");
      }),
      { numRuns: 2000 },
    );
  });

  it("a session cookie plus any hostile junk is still found exactly once (fuzz)", () => {
    const junk = fc.string().filter((s) => !s.includes(plain) && !s.includes(";"));
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 6 }), fc.nat(6), (parts, at) => {
        const pairs = parts.map((p, i) => `j${i}=${p}`);
        pairs.splice(Math.min(at, pairs.length), 0, `${plain}=the.token`);
        expect(sessionCookieFrom(pairs.join("; "), false)).toEqual({ kind: "one", name: plain, value: "the.token" });
      }),
      { numRuns: 1000 },
    );
  });
});

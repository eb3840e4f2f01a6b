import { describe, expect, it } from "vitest";
import {
  cookieValues,
  downstreamResponseHeaders,
  forwardableTarget,
  isAppCookie,
  previewCookieName,
  upstreamRequestHeaders,
  withoutAppCookies,
} from "./proxy-headers";

const pairs = (flat: string[]) => Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);

describe("upstreamRequestHeaders", () => {
  it("drops the app's credentials and hop-by-hop headers, keeps the rest in order and case", () => {
    const out = upstreamRequestHeaders([
      "Host",
      "localhost:4100",
      "Authorization",
      "Bearer psk_secret",
      "Proxy-Authorization",
      "Basic eA==",
      "Cookie",
      "next-auth.session-token=jwt; theme=dark; __Secure-next-auth.session-token=jwt2; next-auth.csrf-token=c",
      "Connection",
      "keep-alive, X-Secret-Hop",
      "X-Secret-Hop",
      "1",
      "Keep-Alive",
      "timeout=5",
      "Accept",
      "text/html",
    ]);
    expect(pairs(out)).toEqual([
      ["Host", "localhost:4100"],
      ["Cookie", "theme=dark"],
      ["Accept", "text/html"],
    ]);
  });

  it("never copies the client's framing headers (the proxy states its own)", () => {
    const out = upstreamRequestHeaders(["Host", "h", "Content-Length", "5", "Transfer-Encoding", "chunked", "Connection", "content-length"]);
    expect(pairs(out)).toEqual([["Host", "h"]]);
  });

  it("drops a Cookie header that held only the app's cookies", () => {
    expect(upstreamRequestHeaders(["Cookie", "next-auth.session-token=x; __Host-next-auth.csrf-token=y"])).toEqual([]);
  });

  it("keeps Connection: Upgrade and Upgrade for a WebSocket handshake", () => {
    const out = upstreamRequestHeaders(["Host", "h", "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", "k"], { upgrade: true });
    expect(pairs(out)).toEqual([
      ["Host", "h"],
      ["Sec-WebSocket-Key", "k"],
      ["Connection", "Upgrade"],
      ["Upgrade", "websocket"],
    ]);
  });
});

describe("downstreamResponseHeaders", () => {
  it("drops Set-Cookie for the app's cookie names and hop-by-hop headers", () => {
    const out = downstreamResponseHeaders([
      "Set-Cookie",
      "next-auth.session-token=evil; Path=/",
      "Set-Cookie",
      "__Secure-next-auth.session-token=evil; Secure",
      "Set-Cookie",
      "app=1; Path=/",
      "Transfer-Encoding",
      "chunked",
      "Content-Type",
      "text/html",
    ]);
    expect(pairs(out)).toEqual([
      ["Set-Cookie", "app=1; Path=/"],
      ["Content-Type", "text/html"],
    ]);
  });
});

describe("cookies", () => {
  it("recognises every next-auth cookie, prefixed or not, and nothing else", () => {
    for (const name of [
      "next-auth.session-token",
      "__Secure-next-auth.session-token",
      "__Host-next-auth.csrf-token",
      "next-auth.callback-url",
      "next-auth.session-token.0",
    ]) {
      expect(isAppCookie(name)).toBe(true);
    }
    for (const name of ["session", "nextauth", "my-next-auth.x"]) expect(isAppCookie(name)).toBe(false);
    expect(withoutAppCookies("a=1;next-auth.session-token=x;b=2")).toBe("a=1; b=2");
  });

  it("treats every preview's cookie as a credential: never sent upstream, never set by a dev server", () => {
    for (const name of [previewCookieName(4101, false), previewCookieName(4101, true), "pantheon-preview-4102"]) expect(isAppCookie(name)).toBe(true);
    expect(withoutAppCookies("pantheon-preview-4101=t1; a=1; __Host-pantheon-preview-4102=t2")).toBe("a=1");
    expect(pairs(downstreamResponseHeaders(["Set-Cookie", "pantheon-preview-4101=planted", "Set-Cookie", "b=2"]))).toEqual([["Set-Cookie", "b=2"]]);
  });

  it("reads one cookie's values without decoding anything, so hostile headers cannot throw", () => {
    expect(cookieValues("x=%; pantheon-preview-4101=a; pantheon-preview-4101=b; =c; pantheon-preview-41010=d", "pantheon-preview-4101")).toEqual(["a", "b"]);
    expect(cookieValues("%=%; ;;=", "pantheon-preview-4101")).toEqual([]);
    expect(cookieValues(undefined, "x")).toEqual([]);
    expect(cookieValues(Array.from({ length: 50 }, (_, i) => `n=${i}`).join("; "), "n")).toHaveLength(8);
  });
});

describe("forwardableTarget", () => {
  it("forwards origin-form targets byte for byte, including odd paths", () => {
    for (const path of ["/", "/src/main.ts?t=1", "//169.254.169.254/", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f"]) expect(forwardableTarget(path)).toBe(path);
  });

  it("refuses absolute-form, authority-form and asterisk targets", () => {
    for (const url of ["http://169.254.169.254/", "169.254.169.254:80", "*", "", undefined]) expect(forwardableTarget(url)).toBeNull();
  });
});

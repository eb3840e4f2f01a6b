import { afterEach, describe, expect, it, vi } from "vitest";

// The session cookie next-auth writes is the one session-cookie.ts reads, scoped per deployment.
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function sessionCookieFor(url: string) {
  vi.stubEnv("NEXTAUTH_URL", url);
  vi.resetModules();
  const { authOptions } = await import("./next-auth-options");
  return authOptions.cookies?.sessionToken;
}

describe("session cookie scope", () => {
  it("is __Host- (Secure, host-only, Path=/) over https", async () => {
    const cookie = await sessionCookieFor("https://sandbox.example.com");
    expect(cookie?.name).toBe("__Host-next-auth.session-token");
    expect(cookie?.options).toEqual({ httpOnly: true, sameSite: "lax", path: "/", secure: true });
    expect(cookie?.options).not.toHaveProperty("domain");
  });

  it("is plain, httpOnly and SameSite=Lax over http", async () => {
    const cookie = await sessionCookieFor("http://localhost:3000");
    expect(cookie?.name).toBe("next-auth.session-token");
    expect(cookie?.options).toEqual({ httpOnly: true, sameSite: "lax", path: "/", secure: false });
  });
});

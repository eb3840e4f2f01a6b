import { describe, expect, it } from "vitest";
import { throttledSignInError, throttleInRedirect, withSignInThrottleStatus } from "./sign-in-throttle-response";

// What next-auth v4 answers when authorize() throws: 401 and a redirect to its error page with the
// message, as JSON for its browser client (json=true) or as a Location for a plain form post.
const nextAuthError = (message: string, json: boolean) => {
  const url = `http://app.test/api/auth/error?error=${encodeURIComponent(message)}`;
  const headers = new Headers({ "set-cookie": "next-auth.csrf-token=c; Path=/; HttpOnly" });
  if (json) {
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ url }), { status: 401, headers });
  }
  headers.set("location", url);
  return new Response(null, { status: 302, headers });
};

describe("sign-in throttle response", () => {
  const thrown = throttledSignInError(842, "too many failed sign-ins for this account (at most 10 in 15 minutes); retry in 842 s");

  it("turns next-auth's 401 for a throttled sign-in into 429 with Retry-After and a readable message", async () => {
    const res = await withSignInThrottleStatus(nextAuthError(thrown.message, true), "http://app.test/signin");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("842");
    expect(res.headers.getSetCookie()).toEqual(["next-auth.csrf-token=c; Path=/; HttpOnly"]);
    const { url } = (await res.json()) as { url: string };
    expect(new URL(url).pathname).toBe("/signin");
    expect(new URL(url).searchParams.get("error")).toBe("Too many failed sign-ins for this account (at most 10 in 15 minutes); try again in 15 min");
  });

  it("does the same for a plain form post (redirect mode)", async () => {
    const res = await withSignInThrottleStatus(nextAuthError(thrown.message, false), "http://app.test/signin");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("842");
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("try again in 15 min");
  });

  it("leaves a wrong password, a success and anything else as next-auth answered", async () => {
    const wrong = nextAuthError("CredentialsSignin", true);
    expect(await withSignInThrottleStatus(wrong, "/signin")).toBe(wrong);
    const ok = new Response(JSON.stringify({ url: "http://app.test/projects" }), { status: 200, headers: { "content-type": "application/json" } });
    expect(await withSignInThrottleStatus(ok, "/signin")).toBe(ok);
    const garbage = new Response("{not json", { status: 401, headers: { "content-type": "application/json" } });
    expect(await withSignInThrottleStatus(garbage, "/signin")).toBe(garbage);
    // A user typing the marker into the email field cannot reach it: next-auth puts only thrown errors in `error`.
    expect(throttleInRedirect("http://app.test/api/auth/error?error=CredentialsSignin")).toBeNull();
    expect(throttleInRedirect(null)).toBeNull();
  });

  it("rounds the delay up and never below one second", () => {
    expect(throttleInRedirect(`http://x/?error=${encodeURIComponent(throttledSignInError(0.2, "m").message)}`)).toEqual({ retryAfterSeconds: 1, message: "m" });
  });
});

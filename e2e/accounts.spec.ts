import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { appOriginHeader, keepScreenshot, newCredentials, signIn, signUp } from "./support";

// Issue 18 points 3 and 7 against the real server (`npm start`): pages, next-auth's own routes
// and the API under hostile cookies; the sign-in throttle's 429; sign-out and password change
// ending sessions. The integration tests hold the details; this is the browser's view.

const SESSION = "next-auth.session-token";

async function sessionToken(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION);
  if (!cookie) throw new Error("no session cookie");
  return cookie.value;
}

test("an undecodable cookie breaks no page and no API; the session beside it still works", async ({ page, request }) => {
  const creds = newCredentials();
  await signUp(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
  // What a previewed page on the same host name can do: document.cookie = "x=%".
  await page.context().addCookies([
    { name: "x", value: "%", domain: "localhost", path: "/" },
    { name: "y", value: "%E0%A4%A", domain: "localhost", path: "/" },
  ]);
  const projects = await page.goto("/projects");
  expect(projects?.status()).toBe(200);
  await expect(page.getByTestId("signed-in-as")).toHaveText(creds.email);
  expect((await page.request.get("/api/trpc/auth.me")).status()).toBe(200);
  expect((await page.request.get("/api/sandbox/projects")).status()).toBe(200);
  expect((await page.request.get("/api/auth/session")).status()).toBe(200);

  // Without a session: every surface answers as for anyone signed out, never 500.
  const hostile = { cookie: "x=%; y=%E0%A4%A; z=%%" };
  for (const path of [
    "/",
    "/signin",
    "/signup",
    "/projects",
    "/account",
    "/projects/1",
    "/admin/metrics",
    "/api/auth/session",
    "/api/auth/csrf",
    "/api/health",
  ]) {
    const res = await request.get(path, { headers: hostile, maxRedirects: 0 });
    expect(res.status(), path).toBeLessThan(500);
  }
  expect((await request.get("/api/trpc/auth.me", { headers: hostile })).status()).toBe(401);
  expect((await request.get("/api/sandbox/projects", { headers: hostile })).status()).toBe(401);
});

test("a second session cookie planted for /api (another account's) signs the viewer in as nobody", async ({ page, browser }) => {
  const attacker = await browser.newPage();
  await signUp(attacker, newCredentials());
  await expect(attacker).toHaveURL(/\/projects$/);
  const attackerToken = await sessionToken(attacker);
  await attacker.close();

  const victim = newCredentials();
  await signUp(page, victim);
  await expect(page).toHaveURL(/\/projects$/);
  // A longer Path makes the browser send the planted cookie first, beside the victim's own.
  await page.context().addCookies([{ name: SESSION, value: attackerToken, domain: "localhost", path: "/api", httpOnly: true, sameSite: "Lax" }]);
  const me = await page.request.get("/api/trpc/auth.me");
  expect(me.status()).toBe(401);
  expect(await me.text()).toContain("More than one session cookie");
  expect((await page.request.get("/api/sandbox/projects")).status()).toBe(401);
  // Pages (Path=/ only) still see just the victim's own cookie.
  await page.goto("/projects");
  await expect(page.getByTestId("signed-in-as")).toHaveText(victim.email);
});

/** next-auth's credentials sign-in as its browser client does it (csrf cookie + token, json=true, the app's Origin). */
async function credentialsSignIn(request: APIRequestContext, origin: Record<string, string>, email: string, password: string) {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  return request.post("/api/auth/callback/credentials", { form: { email, password, csrfToken, json: "true" }, headers: origin });
}

test("sign-in: after 10 wrong passwords, 429 with Retry-After, and the page says how long to wait", async ({ page, request }) => {
  const creds = newCredentials();
  await signUp(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
  await page.context().clearCookies();
  for (let i = 0; i < 10; i++) {
    const res = await credentialsSignIn(request, appOriginHeader(page), creds.email, `wrong password ${i}`);
    expect(res.status()).toBe(401);
  }
  const refused = await credentialsSignIn(request, appOriginHeader(page), creds.email, creds.password);
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(60);
  await signIn(page, creds);
  await expect(page.getByTestId("form-error")).toContainText("Too many failed sign-ins for this account");
  await expect(page.getByTestId("form-error")).toContainText("try again in");
  await keepScreenshot(page, "signin-throttled");
});

test("sign-out ends the session: the old cookie no longer works anywhere", async ({ page, request }) => {
  await signUp(page, newCredentials());
  await expect(page).toHaveURL(/\/projects$/);
  const token = await sessionToken(page);
  const withOld = { cookie: `${SESSION}=${token}` };
  expect((await request.get("/api/trpc/auth.me", { headers: withOld })).status()).toBe(200);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  const me = await request.get("/api/trpc/auth.me", { headers: withOld });
  expect(me.status()).toBe(401);
  expect(await me.text()).toContain("session has ended");
  const projects = await request.get("/projects", { headers: withOld, maxRedirects: 0 });
  expect(projects.status()).toBe(307);
});

test("changing the password on the account page ends other sessions and keeps this one signed in", async ({ page, request }) => {
  const creds = newCredentials();
  await signUp(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
  const before = { cookie: `${SESSION}=${await sessionToken(page)}` };
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByLabel("Current password").fill(creds.password);
  await page.getByLabel("New password (12 characters or more)").fill("password2024");
  await page.getByLabel("Repeat new password").fill("password2024");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("form-error")).toContainText("most common passwords");

  const next = "an entirely new passphrase";
  await page.getByLabel("New password (12 characters or more)").fill(next);
  await page.getByLabel("Repeat new password").fill(next);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("password-changed")).toBeVisible();
  await keepScreenshot(page, "account-password-changed");
  expect((await request.get("/api/trpc/auth.me", { headers: before })).status()).toBe(401);
  await page.goto("/projects");
  await expect(page.getByTestId("signed-in-as")).toHaveText(creds.email);
});

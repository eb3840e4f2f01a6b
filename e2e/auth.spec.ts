import { expect, test } from "@playwright/test";
import { keepScreenshot, newCredentials, signIn, signUp } from "./support";

test("sign up, sign out, sign in, and see the empty projects page", async ({ page }) => {
  const creds = newCredentials();
  await signUp(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(creds.email);
  await expect(page.getByTestId("projects-empty")).toContainText("No projects yet");
  await keepScreenshot(page, "projects-empty");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  await signIn(page, { ...creds, password: "the wrong password" });
  await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password");
  await keepScreenshot(page, "signin-error");

  await signIn(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(creds.email);
});

test("signing up with a taken email reveals nothing and changes nothing", async ({ page }) => {
  const creds = newCredentials();
  await signUp(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
  await page.context().clearCookies();
  // A stranger trying the same email with another password: the same sign-up answer, then the
  // sign-in page (their password is not the account's), never "already exists".
  await signUp(page, { ...creds, password: "a different long passphrase" });
  await expect(page).toHaveURL(/\/signin\?registered=1$/);
  await expect(page.getByText("already exists")).toHaveCount(0);
  // The owner's password still works.
  await signIn(page, creds);
  await expect(page).toHaveURL(/\/projects$/);
});

test("sign-up refuses a short or common password with the reason", async ({ page }) => {
  await signUp(page, { email: newCredentials().email, password: "password1234" });
  await expect(page.getByTestId("form-error")).toContainText("most common passwords");
});

test("the projects page needs a session", async ({ page }) => {
  await page.goto("/projects");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=(%2F|\/)projects$/);
});

test("the API answers 401 with a message, and /api/health reports its parts", async ({ request }) => {
  const me = await request.get("/api/trpc/auth.me", { headers: { authorization: "Bearer psk_00000000_notarealkey" } });
  expect(me.status()).toBe(401);
  expect(await me.text()).toContain("Malformed API key");

  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  const body = (await health.json()) as { database: { status: string }; docker: { status: string } };
  expect(body.database.status).toBe("up");
  expect(body.docker.status).toBe("up");
});

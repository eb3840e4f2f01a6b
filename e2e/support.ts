import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Page } from "@playwright/test";

export const ARTIFACTS = "e2e/artifacts";

export function newCredentials() {
  return { email: `e2e-${randomUUID().slice(0, 8)}@example.com`, password: "a strong password 42" };
}

export async function signUp(page: Page, creds: { email: string; password: string }) {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password (8 characters or more)").fill(creds.password);
  await page.getByLabel("Repeat password").fill(creds.password);
  await page.getByRole("button", { name: "Sign up" }).click();
}

export async function signIn(page: Page, creds: { email: string; password: string }) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password").fill(creds.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function keepScreenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

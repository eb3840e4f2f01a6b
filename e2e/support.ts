import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { expect, type Page } from "@playwright/test";

export const ARTIFACTS = "e2e/artifacts";

export function newCredentials() {
  return { email: `e2e-${randomUUID().slice(0, 8)}@example.com`, password: "a strong password 42" };
}

export async function signUp(page: Page, creds: { email: string; password: string }) {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password (12 characters or more)").fill(creds.password);
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

/** Signs up a fresh user and creates a project through the dashboard; leaves the page in its IDE. */
export async function newProjectInIde(page: Page, name: string, template?: string): Promise<number> {
  await signUp(page, newCredentials());
  await page.waitForURL(/\/projects$/);
  await page.getByLabel("Project name").fill(name);
  if (template) await page.getByLabel("Template").selectOption(template);
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/\/projects\/\d+$/);
  return Number(new URL(page.url()).pathname.split("/").pop());
}

/**
 * The app's own origin, as its pages send it: state-changing requests carrying the session cookie
 * must name it (server/http/origin-rule.ts), and Playwright's request API sends no Origin itself.
 */
export function appOriginHeader(page: Page): Record<string, string> {
  return { origin: new URL(page.url()).origin };
}

type TrpcBody = { result?: { data: { json: unknown } }; error?: { json: { message: string } } };

/** Calls a tRPC procedure over HTTP as the page's signed-in user (superjson on the wire). */
export async function trpcMutation(page: Page, path: string, input: unknown): Promise<unknown> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input }, headers: appOriginHeader(page) });
  const body = (await response.json()) as TrpcBody;
  if (!response.ok() || !body.result) throw new Error(`${path} failed: ${body.error?.json.message ?? response.status()}`);
  return body.result.data.json;
}

/** Reads a tRPC query over HTTP as the page's signed-in user. */
export async function trpcQuery(page: Page, path: string, input: unknown): Promise<unknown> {
  const response = await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as TrpcBody;
  if (!response.ok() || !body.result) throw new Error(`${path} failed: ${body.error?.json.message ?? response.status()}`);
  return body.result.data.json;
}

/**
 * Makes an existing account an admin with the admin CLI, against the e2e server's embedded
 * database (its port is derived from E2E_PORT exactly as playwright.config.ts derives it).
 */
export function makeAdmin(email: string) {
  const port = Number(process.env.E2E_PORT ?? 3100);
  const pgPort = port + 51_000 > 65_000 ? 54_400 : port + 51_000;
  const run = spawnSync(process.execPath, ["--import", "tsx", "server/cli/admin.ts", "set-role", "--email", email, "--role", "admin"], {
    env: { ...process.env, DATABASE_URL: `postgresql://pantheon:pantheon-local@127.0.0.1:${pgPort}/pantheon` },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`admin CLI failed (${run.status}): ${run.stderr}`);
}

/** Shows the preview beside the editor (it starts open for templates with a dev server, hidden otherwise). */
export async function showPreview(page: Page) {
  const toggle = page.getByTestId("preview-toggle");
  if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();
  await expect(page.getByTestId("preview-pane")).toBeVisible();
}

import { expect, type Page } from "@playwright/test";
import { newCredentials, signUp } from "./support";

/** Signs a fresh user up and creates a project from `template`; returns its URL and id. */
export async function newProject(page: Page, name: string, template = "node-api") {
  await signUp(page, newCredentials());
  await expect(page).toHaveURL(/\/projects$/);
  await page.getByLabel("Project name").fill(name);
  await page.getByLabel("Template").selectOption(template);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  const url = page.url();
  return { url, projectId: Number(url.split("/").at(-1)) };
}

/** A tRPC mutation over HTTP, as the page's signed-in user or with extra headers (an API key). */
export async function trpcMutation<T>(page: Page, path: string, input: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input }, headers });
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!res.ok() || !body.result) throw new Error(`${path} failed: ${res.status()} ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

/** The text xterm has rendered in a terminal host, one string per visible row. */
export async function terminalRows(page: Page, testId: string): Promise<string[]> {
  return page
    .getByTestId(testId)
    .locator(".xterm-rows > div")
    .evaluateAll((rows) => rows.map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ")));
}

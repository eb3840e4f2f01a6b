import { expect, test } from "@playwright/test";
import { keepScreenshot, newCredentials, signUp, trpcMutation } from "./support";

test("dashboard: search, sort, the AI that created each project, last run status; a deleted project's URL is not found", async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, newCredentials());
  await page.waitForURL(/\/projects$/);
  const alpha = (await trpcMutation(page, "projects.create", { name: "alpha service", template: "node-api", aiPersonality: "geppo" })) as { id: number };
  const beta = (await trpcMutation(page, "projects.create", { name: "beta notes" })) as { id: number };
  await trpcMutation(page, "executions.run", { projectId: beta.id, kind: "command", command: "exit 2" });

  await page.reload();
  const list = page.getByTestId("project-list");
  const rows = list.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "alpha service" })).toContainText("geppo");
  await expect(rows.filter({ hasText: "alpha service" })).toContainText("node-api");
  await expect(rows.filter({ hasText: "alpha service" })).toContainText("never run");
  await expect(rows.filter({ hasText: "beta notes" })).toContainText("you");
  await expect(rows.filter({ hasText: "beta notes" })).toContainText("error (2)", { timeout: 60_000 });

  // Sort: by name ascending, newest first.
  await page.getByLabel("Sort by").selectOption("name");
  await expect(rows.first()).toContainText("alpha service");
  await page.getByLabel("Sort by").selectOption("createdAt");
  await expect(rows.first()).toContainText("beta notes");

  // Search narrows the list; no match says so.
  await page.getByLabel("Search projects").fill("alph");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("alpha service");
  await page.getByLabel("Search projects").fill("zzz-nothing");
  await expect(page.getByText("No project matches")).toBeVisible();
  await page.getByLabel("Search projects").fill("");
  await expect(rows).toHaveCount(2);

  // The creator describes the chosen template.
  await page.getByLabel("Template").selectOption("python-script");
  await expect(page.getByTestId("template-description")).not.toBeEmpty();
  await keepScreenshot(page, "dashboard");

  // A deleted project's URL answers "not found", not an error page.
  await trpcMutation(page, "projects.delete", { projectId: alpha.id });
  const gone = await page.goto(`/projects/${alpha.id}`);
  expect(gone?.status()).toBe(404);
  await expect(page.getByTestId("project-not-found")).toContainText("Project not found");
  for (const bad of ["abc", "0", "-1", "99999999999"]) {
    const response = await page.goto(`/projects/${bad}`);
    expect(response?.status(), bad).toBe(404);
  }
});

test("IDE bad input: an oversized save and a project deleted while open show the server's message", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newCredentials());
  await page.waitForURL(/\/projects$/);
  const project = (await trpcMutation(page, "projects.create", { name: "bad input" })) as { id: number };
  // 1 MiB minus 6 bytes: at the limit (SANDBOX_MAX_FILE_SIZE = 1 MiB); a few typed characters go over it.
  const nearLimit = `${"y".repeat(99)}\n`.repeat(10_485) + "z".repeat(1_048_576 - 6 - 100 * 10_485);
  await trpcMutation(page, "files.write", { projectId: project.id, path: "big.txt", content: nearLimit });
  await page.goto(`/projects/${project.id}`);
  await page.getByTestId("file-big.txt").click();
  const lines = page.locator(".monaco-editor .view-lines");
  await expect(lines).toContainText("yyyy");
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("over the limit");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("editor-message")).toContainText("SANDBOX_MAX_FILE_SIZE");
  await expect(page.locator("[data-sonner-toast]").filter({ hasText: "SANDBOX_MAX_FILE_SIZE" })).toBeVisible();
  await expect(page.getByTestId("unsaved-marker")).toBeVisible();

  // Deleted elsewhere while open: saving says the project is gone.
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText("fits now\n");
  await trpcMutation(page, "projects.delete", { projectId: project.id });
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("editor-message")).toContainText(`Project ${project.id} not found`);
  await page.reload();
  await expect(page.getByTestId("project-not-found")).toBeVisible();
});

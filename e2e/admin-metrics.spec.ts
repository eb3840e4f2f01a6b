import { expect, test } from "@playwright/test";
import { keepScreenshot, makeAdmin, newCredentials, signUp } from "./support";
import { newProject, trpcMutation } from "./terminal-support";

test("admin metrics: an admin sees live fleet figures and stops a sandbox; a user and a visitor get 404", async ({ page, browser }) => {
  test.setTimeout(180_000);

  // A user whose project holds a container (one execution).
  const { projectId } = await newProject(page, "watched by the admin");
  await trpcMutation(page, "executions.run", { kind: "command", projectId, command: "echo watched", aiPersonality: "mistral" });
  await expect(page.getByRole("link", { name: "Metrics" })).toHaveCount(0);

  // The page does not exist for a user, nor for someone signed out.
  const asUser = await page.goto("/admin/metrics");
  expect(asUser?.status()).toBe(404);
  await expect(page.getByText("Sandbox fleet")).toHaveCount(0);
  const visitor = await browser.newContext();
  const asVisitor = await (await visitor.newPage()).goto("/admin/metrics");
  expect(asVisitor?.status()).toBe(404);
  await visitor.close();
  // Nor does the data behind it (tRPC answers NOT_FOUND).
  const denied = await page.request.get("/api/trpc/admin.fleetOverview");
  expect(denied.status()).toBe(404);

  // An admin, made with the admin CLI, reaches it from the header.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const creds = newCredentials();
  await signUp(admin, creds);
  await expect(admin).toHaveURL(/\/projects$/);
  makeAdmin(creds.email);
  await admin.reload();
  await admin.getByRole("link", { name: "Metrics" }).click();
  await expect(admin).toHaveURL(/\/admin\/metrics$/);
  await expect(admin.getByRole("heading", { name: "Sandbox fleet" })).toBeVisible();

  // Live figures: the user's sandbox with its owner and AI, and the collector's sample of it.
  const row = admin.getByTestId(`sandbox-${projectId}`);
  await expect(row).toContainText("watched by the admin");
  await expect(row).toContainText("mistral");
  await expect(row.locator("td").nth(7)).toContainText("MB", { timeout: 30_000 }); // memory, from a stats sample
  await expect(admin.getByTestId("figure-active-sandboxes").locator("strong")).not.toHaveText("–");
  await expect(admin.getByTestId("figure-executions").locator("strong")).not.toHaveText("–");
  await expect(admin.getByTestId("chart-cpu").locator("path")).toHaveCount(1);
  await expect(admin.getByTestId("pool-state")).toContainText("node");
  await expect(admin.getByTestId("alerts")).toBeVisible();
  await expect(admin.getByTestId("anomalies")).toBeVisible();

  // It updates without a reload.
  const first = await admin.getByTestId("updated-at").textContent();
  await expect(admin.getByTestId("updated-at")).not.toHaveText(first ?? "", { timeout: 20_000 });
  await expect(admin.getByTestId("chart-memory").locator("path")).toHaveAttribute("d", /M.+L/, { timeout: 30_000 });
  await keepScreenshot(admin, "admin-metrics");

  // Stop releases the container; the row goes away.
  admin.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Stop" }).click();
  await expect(row).toHaveCount(0, { timeout: 20_000 });
  await adminContext.close();
});

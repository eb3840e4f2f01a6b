import { expect, test } from "@playwright/test";
import { keepScreenshot } from "./support";
import { newProject, trpcMutation } from "./terminal-support";

test("IDE network select: none by default, the owner picks registry (kept after reload), open is admin-only", async ({ page }) => {
  test.setTimeout(120_000);
  const { projectId } = await newProject(page, "e2e network", "node-api");
  const select = page.getByTestId("network-policy");
  await expect(select).toHaveValue("none");
  await expect(select.locator("option[value=open]")).toBeDisabled();

  await select.selectOption("registry");
  await expect(select).toBeEnabled();
  await page.reload();
  await expect(page.getByTestId("network-policy")).toHaveValue("registry");
  await keepScreenshot(page, "ide-network-registry");

  // The server refuses "open" for a non-admin whatever the page offers.
  await expect(trpcMutation(page, "projects.update", { projectId, networkPolicy: "open" })).rejects.toThrow(/403|FORBIDDEN/);
  await page.reload();
  await expect(page.getByTestId("network-policy")).toHaveValue("registry");
});

import { expect, test } from "@playwright/test";
import { keepScreenshot, newProjectInIde, trpcMutation } from "./support";

test("executions panel: history with status, exit code, duration, memory, who ran it; one click shows the output. Metrics panel: the container live", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const projectId = await newProjectInIde(page, "e2e panels");
  await trpcMutation(page, "files.write", { projectId, path: "main.js", content: "console.log('hello from main'); console.error('a warning');\n" });

  // Two runs from the terminal (one fails with exit 3) and one by an AI through the API.
  const command = page.getByLabel("Command");
  await command.fill("node main.js");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("success", { timeout: 90_000 });
  await command.fill("exit 3");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("exit 3", { timeout: 60_000 });
  await trpcMutation(page, "executions.run", { projectId, kind: "command", command: "echo from the AI", aiPersonality: "c24" });

  // Alt+<position> shows the Executions tab.
  const tabNames = await page.getByRole("tablist", { name: "Panel tabs" }).getByRole("tab").allInnerTexts();
  await page.getByTestId("project-name").click();
  await page.keyboard.press(`Alt+${tabNames.indexOf("Executions") + 1}`);
  await expect(page.getByRole("tab", { name: "Executions" })).toHaveAttribute("aria-selected", "true");
  const table = page.getByTestId("executions-table");
  await expect(table.locator("tbody tr")).toHaveCount(3, { timeout: 30_000 });
  const [aiRow, failedRow, okRow] = [table.locator("tbody tr").nth(0), table.locator("tbody tr").nth(1), table.locator("tbody tr").nth(2)];
  await expect(aiRow).toContainText("echo from the AI");
  await expect(aiRow).toContainText("c24");
  await expect(aiRow).toContainText("success", { timeout: 30_000 });
  await expect(failedRow).toContainText("exit 3");
  await expect(failedRow).toContainText("error");
  await expect(failedRow.locator("td").nth(3)).toHaveText("3");
  await expect(okRow).toContainText("you");
  await expect(okRow.locator("td").nth(4)).toHaveText(/\d+(\.\d+)? (ms|s)/);
  await expect(okRow.locator("td").nth(5)).toHaveText(/MB|—/);

  await okRow.click();
  const output = page.getByTestId("execution-output");
  await expect(output).toContainText("$ node main.js");
  await expect(output).toContainText("hello from main");
  await expect(output.locator(".stderr")).toContainText("a warning");
  await keepScreenshot(page, "ide-executions-panel");

  // Metrics: the executions at once; the container's CPU and memory once the collector has sampled it.
  await page.getByRole("tab", { name: "Metrics" }).click();
  await expect(page.getByTestId("metric-executions")).toContainText("3");
  await expect(page.getByTestId("metric-executions")).toContainText("2 ok · 1 failed");
  await expect(page.getByTestId("metric-duration")).toContainText("avg");
  await expect(page.getByTestId("metric-memory")).toHaveText(/\d+(\.\d)? MB/, { timeout: 30_000 });
  await expect(page.getByTestId("metric-cpu")).toHaveText(/\d+\.\d %/);
  await expect(page.getByTestId("container-state")).toContainText("container running");
  await keepScreenshot(page, "ide-metrics-panel");
});

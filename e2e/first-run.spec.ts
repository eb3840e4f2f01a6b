import { expect, type Page, test } from "@playwright/test";
import { keepScreenshot } from "./support";
import { newProject, terminalRows, trpcMutation } from "./terminal-support";

// Issue 19 points 1 and 5 in the browser. A fresh React project's first click on Run (`npm start`)
// brings Vite up at once (it used to fail with ENOENT on /node_modules/.vite-temp until "Start dev
// server" had run), and since that is a server, the IDE says so and moves it to a background
// process with its preview in one click. npm test and the build pass at once, and again after the
// container is released. A silent server started through the API is named after its run's time limit.

test.use({ viewport: { width: 1400, height: 1000 } });

const output = async (page: Page) => (await terminalRows(page, "run-output")).join("\n");

async function runInTerminal(page: Page, command: string) {
  const input = page.getByLabel("Command", { exact: true });
  await input.fill(command);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("running", { timeout: 30_000 });
  await expect(page.getByTestId("run-status")).toContainText(/success · exit 0/, { timeout: 120_000 });
}

test("a fresh React project: Run serves at once, moves to the background with its preview; test and build pass", async ({ page }) => {
  test.setTimeout(300_000);
  const { projectId } = await newProject(page, "first run react", "react-app");

  // The first click: the template's run command, prefilled.
  const command = page.getByLabel("Command", { exact: true });
  await expect(command).toHaveValue("npm start");
  await expect(command).toHaveAttribute("placeholder", /a run stops after 30 s/);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect.poll(() => output(page), { timeout: 60_000 }).toMatch(/Local:\s+http:\/\/127\.0\.0\.1:5173/);
  expect(await output(page)).not.toMatch(/ENOENT|EROFS/);
  await expect(page.getByTestId("run-status")).toContainText("stops after 30 s");

  // It serves a port: the IDE says so, with the way out.
  const hint = page.getByTestId("serve-hint");
  await expect(hint).toBeVisible({ timeout: 15_000 });
  await expect(hint).toContainText("serving on port 5173");
  await expect(hint).toContainText("A run stops after 30 s");
  await keepScreenshot(page, "first-run-serve-hint");

  // One click: the run is cancelled, the same command runs in the background, the preview shows it.
  await hint.getByTestId("serve-in-background").click();
  // The preview sits beside the editor (a side panel since the roomier IDE, not a bottom tab).
  await expect(page.getByTestId("preview-toggle")).toHaveAttribute("aria-pressed", "true", { timeout: 30_000 });
  await expect(page.frameLocator('[data-testid="preview-frame"]').getByRole("heading", { name: "Todos" })).toBeVisible({ timeout: 120_000 });
  await keepScreenshot(page, "first-run-preview");
  await page.getByRole("tab", { name: "Terminal" }).click();
  await expect(page.getByTestId("serve-hint")).toHaveCount(0);
  await expect.poll(() => output(page)).toContain("■ cancelled");

  await runInTerminal(page, "npm test");
  await runInTerminal(page, "npm run build");

  // An idle release: the next commands bind a fresh container, with nothing installed first.
  await trpcMutation(page, "projects.release", { projectId });
  await runInTerminal(page, "npm test");
  await runInTerminal(page, "npm run build");
  expect(await output(page)).not.toMatch(/ENOENT|EROFS/);
});

test("a silent server started through the API: its run's time limit is stated and its port offered", async ({ page }) => {
  test.setTimeout(120_000);
  const { projectId } = await newProject(page, "silent server", "node-api");
  await expect(page.getByTestId("stream-state")).toHaveText("live", { timeout: 30_000 });
  // Prints nothing: only the container's socket table knows it serves port 4321.
  const command = `node -e "require('http').createServer((q, s) => s.end('hi')).listen(4321, '127.0.0.1')"`;
  await trpcMutation(page, "executions.run", { projectId, kind: "command", command, timeoutSeconds: 6 });
  await expect.poll(() => output(page), { timeout: 60_000 }).toContain("stopped at the run's time limit of 6 s (exit 137) while serving on port 4321");
  const hint = page.getByTestId("serve-hint");
  await expect(hint).toBeVisible({ timeout: 15_000 });
  await expect(hint).toContainText("was serving on port 4321");
  await expect(hint).toHaveAttribute("data-port", "4321");
});

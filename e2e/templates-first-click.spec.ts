import { expect, type Page, test } from "@playwright/test";
import { keepScreenshot } from "./support";
import { newProject, terminalRows, trpcMutation } from "./terminal-support";

// Issue 19 point 1 in the browser: the very first thing a user does in a new project — click Run
// with the command the IDE prefilled — works, with nothing installed or started before it, and
// works again once the container was released (the next click binds a fresh one). React and Vue
// used to answer ENOENT on /node_modules/.vite-temp until "Start dev server" had run once.

test.use({ viewport: { width: 1400, height: 1000 } });

const output = async (page: Page) => (await terminalRows(page, "run-output")).join("\n");

/** Clicks Run with whatever the command field holds, which must be the template's run command. */
async function runPrefilled(page: Page, command: string) {
  const input = page.getByLabel("Command", { exact: true });
  await expect(input).toHaveValue(command);
  await page.getByRole("button", { name: "Run", exact: true }).click();
}

/**
 * A server's run: while it runs it serves port 5173 (the IDE's hint says so, from the container's
 * socket table, so an earlier run's output cannot stand in for it), nothing failed to write, then
 * it is cancelled — it was still running.
 */
async function servesThenCancel(page: Page) {
  await expect(page.getByTestId("serve-hint")).toContainText("is serving on port 5173", { timeout: 90_000 });
  expect(await output(page)).not.toMatch(/ENOENT|EROFS|EACCES/);
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("cancelled", { timeout: 30_000 });
}

// Each template's run command, as the IDE prefills it (server/templates).
const RUN = { "react-app": "npm start", "vue-app": "npm run serve" } as const;

for (const [template, command] of Object.entries(RUN)) {
  test(`${template}: the first click on Run (${command}) serves at once, and again after an idle release`, async ({ page }) => {
    test.setTimeout(300_000);
    const { projectId } = await newProject(page, `first click ${template}`, template);

    await runPrefilled(page, command);
    await servesThenCancel(page);
    await keepScreenshot(page, `templates-first-click-${template}`);

    // An idle release: the container goes; a reload shows the IDE as a returning user finds it.
    await trpcMutation(page, "projects.release", { projectId });
    await page.reload();
    await runPrefilled(page, command);
    await servesThenCancel(page);
  });
}

test("python-script: the first click on Run (python3 main.py) succeeds", async ({ page }) => {
  test.setTimeout(120_000);
  await newProject(page, "first click python", "python-script");
  await runPrefilled(page, "python3 main.py");
  await expect(page.getByTestId("run-status")).toContainText(/success · exit 0/, { timeout: 60_000 });
  expect(await output(page)).toMatch(/words: 11/);
});

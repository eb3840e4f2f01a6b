import { expect, type Page, test } from "@playwright/test";
import { makeAdmin, newCredentials, showPreview, signUp, trpcMutation } from "./support";

// Issue 17 point 4 in the browser: names and output that carry HTML, javascript: URLs and terminal
// escape sequences render as inert text in every view — dashboard, explorer, tabs, toasts, the
// run terminal, the executions panel, process output and the admin page. Checked two ways: no
// element was injected (the views escape), and nothing ran (no flag set, no dialog, no tab opened).

test.use({ viewport: { width: 1400, height: 1000 } });

const MARK = "pwnd";
const HOSTILE_NAME = `<img src=x-${MARK} onerror="window.__pwned='name'">"><script>window.__pwned='script'</script>`;
const HOSTILE_FILE = `a<img src=y-${MARK} onerror=window.__pwned=1>.js`;
// HTML, an OSC 8 hyperlink to a javascript: URL (visible text "click-me"), a title change, and
// a bracketed "prompt" line: all printed by the program.
const HOSTILE_OUTPUT = String.raw`printf '<img src=z-${MARK} onerror="window.__pwned=3">\n\033]8;;javascript:window.__pwned=4\033\\click-me\033]8;;\033\\\n\033]0;title-${MARK}\007<a href="javascript:window.__pwned=5">link-${MARK}</a>\n'`;

async function expectInert(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  // No element came from the hostile strings: every one of them is text.
  expect(await page.locator(`img[src*="${MARK}"], a[href^="javascript:"]`).count()).toBe(0);
  expect(await page.title()).not.toContain(MARK);
}

test("hostile names and output render as text in every view", async ({ page }) => {
  test.setTimeout(240_000);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const owner = newCredentials();
  await signUp(page, owner);
  await expect(page).toHaveURL(/\/projects$/);

  // Dashboard: the project's name as typed.
  await page.getByLabel("Project name").fill(HOSTILE_NAME);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  const projectId = Number(new URL(page.url()).pathname.split("/").pop());
  await expectInert(page);
  await page.goto("/projects");
  await expect(page.getByRole("link", { name: HOSTILE_NAME })).toBeVisible();
  await expectInert(page);

  // Explorer and tabs: a file whose name is markup.
  await trpcMutation(page, "files.write", { projectId, path: HOSTILE_FILE, content: "// hostile name\n" });
  await page.goto(`/projects/${projectId}`);
  const fileRow = page.getByTestId(`file-${HOSTILE_FILE}`);
  await expect(fileRow).toContainText(HOSTILE_FILE.split("/").pop() ?? "");
  await fileRow.click();
  await expect(page.getByTestId(`tab-${HOSTILE_FILE}`)).toContainText(HOSTILE_FILE);
  await expectInert(page);

  // A toast naming an uploaded file.
  await page
    .locator('input[type="file"]')
    .setInputFiles({ name: `<img src=t-${MARK} onerror=window.__pwned=6>.txt`, mimeType: "text/plain", buffer: Buffer.from("x") });
  await expect(page.getByText(`Uploaded <img src=t-${MARK} onerror=window.__pwned=6>.txt`)).toBeVisible({ timeout: 15_000 });
  await expectInert(page);

  // The run terminal: markup prints as text; the OSC 8 javascript: link does nothing when clicked.
  const command = page.getByLabel("Command");
  await command.fill(HOSTILE_OUTPUT);
  await command.press("Enter");
  const output = page.getByTestId("run-output");
  await expect(output).toContainText(`<img src=z-${MARK}`, { timeout: 60_000 });
  await expect(output).toContainText(`link-${MARK}`);
  const pagesBefore = page.context().pages().length;
  // A real pointer click on the link text (xterm's screen layer takes pointer events).
  // xterm's DOM renderer replaces row elements as it repaints: measure until one stays put.
  const measure = () =>
    output
      .getByText("click-me", { exact: true })
      .boundingBox({ timeout: 2_000 })
      .catch(() => null);
  await expect.poll(async () => (await measure()) !== null).toBe(true);
  const link = await measure();
  if (!link) throw new Error("the OSC 8 link text is not on screen");
  await page.mouse.move(link.x + link.width / 2, link.y + link.height / 2);
  await page.mouse.click(link.x + link.width / 2, link.y + link.height / 2);
  await page.waitForTimeout(1_000);
  expect(page.context().pages()).toHaveLength(pagesBefore);
  await expectInert(page);

  // The executions panel shows the stored output as text.
  await page.getByRole("tab", { name: "Executions" }).click();
  await page.getByTestId("executions-table").locator("tbody tr").first().click();
  await expect(page.getByTestId("execution-output")).toContainText(`<img src=z-${MARK}`);
  await expectInert(page);

  // Background process output, in the preview pane.
  await showPreview(page);
  const pane = page.getByTestId("preview-pane");
  await pane.getByLabel("Background command").fill(`echo '<img src=p-${MARK} onerror=window.__pwned=7>'; sleep 30`);
  await pane.getByLabel("Port").fill("9000");
  await pane.getByRole("button", { name: "Run in background" }).click();
  await expect(pane.getByTestId("process-status")).toHaveText("running", { timeout: 30_000 });
  if ((await pane.getByTestId("process-output").count()) === 0) await pane.getByTestId("output-toggle").click();
  await expect(pane.getByTestId("process-output")).toContainText(`<img src=p-${MARK}`, { timeout: 30_000 });
  await expectInert(page);

  // The admin page lists the running sandbox by its name (roles are read on every request).
  makeAdmin(owner.email);
  await page.goto("/admin/metrics");
  await expect(page.getByTestId(`sandbox-${projectId}`)).toContainText(HOSTILE_NAME, { timeout: 30_000 });
  await expectInert(page);

  expect(dialogs).toEqual([]);
});

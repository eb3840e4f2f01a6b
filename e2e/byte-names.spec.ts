import { expect, type Page, test } from "@playwright/test";
import { terminalRows } from "./terminal-support";
import { keepScreenshot, newProjectInIde } from "./support";

// Issue 12 point 2: a file whose name is not valid UTF-8 is shown in the tree by its escaped path
// (`\xff\xfe.txt`, printable, never decoded), opens in the editor, and can be deleted, which
// deletes those exact bytes in the container.

const output = async (page: Page) => (await terminalRows(page, "run-output")).join("\n");

async function run(page: Page, command: string) {
  await page.getByLabel("Command").fill(command);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText(/success · exit 0/, { timeout: 120_000 });
}

test("a file name that is not UTF-8: the tree shows it escaped, opens it, and deletes it", async ({ page }) => {
  test.setTimeout(240_000);
  await newProjectInIde(page, "e2e byte names");
  await run(page, `mkdir $'caf\\xe9' && printf 'bytes in a name\\n' > $'caf\\xe9/\\xff\\xfe.txt'; printf ok > ok.txt`);

  const folder = page.getByTestId("folder-caf\\xe9");
  await expect(folder).toBeVisible();
  await expect(folder).toContainText("caf\\xe9");
  const file = page.getByTestId("file-caf\\xe9/\\xff\\xfe.txt");
  await expect(file).toBeVisible();
  await expect(file).toHaveText("\\xff\\xfe.txt");
  await expect(file).toHaveAttribute("title", /not valid UTF-8/);
  await expect(file).toHaveAttribute("data-escaped-name", "true");
  // Nothing was lost to a lossy decode: no replacement character anywhere in the tree.
  await expect(page.getByTestId("file-tree")).not.toContainText("\uFFFD");

  await file.click();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("bytes in a name");
  await keepScreenshot(page, "ide-byte-name");

  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete caf\\xe9/\\xff\\xfe.txt" }).click();
  await expect(file).toHaveCount(0);

  // The container lost exactly that file; the folder and ok.txt are still there (names as octal bytes).
  // The marker is split so the command line shown above the output cannot match it (run() may
  // return on the previous run's status before this one's output has arrived).
  await run(page, `find . -mindepth 1 -printf '%P\\n' | LC_ALL=C sort | od -An -c | tr -s ' '; echo "LIST""ED"`);
  await expect.poll(() => output(page), { timeout: 30_000 }).toMatch(/^LISTED\s*$/m);
  const listed = await output(page);
  expect(listed).toContain(" c a f 351 \\n");
  expect(listed).toContain(" o k . t x t \\n");
  expect(listed).not.toContain("377 376");
});

import { expect, type Page, test } from "@playwright/test";
import { appOriginHeader, keepScreenshot, newProjectInIde, trpcMutation, trpcQuery } from "./support";

// No lost edits: a save names the version it was based on; a save over a newer version opens the
// conflict dialog (Compare / Overwrite / Reload) instead of silently replacing someone's work.

const lines = (page: Page) => page.locator(".monaco-editor .view-lines").first();
const toast = (page: Page, text: string) => page.locator("[data-sonner-toast]").filter({ hasText: text });
const stored = async (page: Page, projectId: number, path: string) =>
  ((await trpcQuery(page, "files.read", { projectId, path })) as { content: string }).content;

/** Types `text` at the start of the open file, without saving. */
async function typeAtTop(page: Page, text: string) {
  await lines(page).click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.type(text);
  await page.keyboard.press("Escape"); // no suggestion widget may keep the text
  await expect(page.getByTestId("unsaved-marker")).toBeVisible();
}

async function openFile(page: Page, path: string, expected: string) {
  await page.getByTestId(`file-${path}`).click();
  await expect(lines(page)).toContainText(expected);
}

/** A new project holding `path` (one line, `text`), open in the IDE with `typed` added at its top, unsaved. */
async function editingNewFile(page: Page, projectName: string, path: string, text: string, typed: string): Promise<number> {
  const projectId = await newProjectInIde(page, projectName);
  await trpcMutation(page, "files.write", { projectId, path, content: `${text}\n` });
  await openFile(page, path, text);
  await typeAtTop(page, typed);
  return projectId;
}

test("two pages edit one file: the later save gets Compare / Overwrite / Reload, nothing is lost", async ({ page }) => {
  test.setTimeout(180_000);
  const projectId = await newProjectInIde(page, "e2e save conflict");
  await trpcMutation(page, "files.write", { projectId, path: "shared.txt", content: "original line\n" });
  const other = await page.context().newPage();
  await other.goto(page.url());
  await openFile(page, "shared.txt", "original line");
  await openFile(other, "shared.txt", "original line");

  // Both edit; the first page saves first.
  await typeAtTop(other, "from B ");
  await typeAtTop(page, "from A ");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("editor-message")).toHaveText("Saved shared.txt");
  // The second page is told (a real change), and keeps its edits.
  await expect(toast(other, "shared.txt changed elsewhere")).toBeVisible();
  await expect(lines(other)).toContainText("from B original line");

  // Its save is refused: the dialog, not a silent overwrite.
  await other.keyboard.press("Control+s");
  const dialog = other.getByTestId("save-conflict-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("shared.txt changed elsewhere");
  expect(await stored(page, projectId, "shared.txt")).toBe("from A original line\n");

  // Compare: the stored version (A's) beside B's.
  await other.getByTestId("conflict-compare").click();
  const diff = other.getByTestId("conflict-diff");
  await expect.poll(async () => (await diff.boundingBox())?.height ?? 0).toBeGreaterThan(200);
  await expect(diff.locator(".editor.original .view-lines")).toContainText("from A original line");
  await expect(diff.locator(".editor.modified .view-lines")).toContainText("from B original line");
  await expect(diff.locator(".line-insert, .char-insert").first()).toBeVisible();
  await keepScreenshot(other, "ide-save-conflict-compare");

  // Overwrite: B's text is stored, based on A's version; A's clean tab follows.
  await other.getByTestId("conflict-overwrite").click();
  await expect(dialog).toBeHidden();
  await expect(other.getByTestId("editor-message")).toHaveText("Saved shared.txt");
  await expect(other.getByTestId("unsaved-marker")).toHaveCount(0);
  expect(await stored(page, projectId, "shared.txt")).toBe("from B original line\n");
  await expect(lines(page)).toContainText("from B original line");

  // Reload: A edits again, B saves meanwhile; A's save asks, and Reload takes B's version.
  await typeAtTop(page, "A again ");
  await typeAtTop(other, "B second ");
  await other.keyboard.press("Control+s");
  // B's message still reads "Saved shared.txt" from its overwrite: the save is done when B's tab
  // is clean and the store holds its text (A saving first would rightly make B's save the conflict).
  await expect(other.getByTestId("unsaved-marker")).toHaveCount(0);
  await expect.poll(() => stored(page, projectId, "shared.txt")).toBe("B second from B original line\n");
  await expect(other.getByTestId("editor-message")).toHaveText("Saved shared.txt");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-conflict-dialog")).toBeVisible();
  await page.getByTestId("conflict-reload").click();
  await expect(page.getByTestId("save-conflict-dialog")).toBeHidden();
  await expect(lines(page)).toContainText("B second from B original line");
  await expect(lines(page)).not.toContainText("A again");
  await expect(page.getByTestId("unsaved-marker")).toHaveCount(0);
  expect(await stored(page, projectId, "shared.txt")).toBe("B second from B original line\n");
  await other.close();
});

test("a refused save still asks when the change feed cuts short its read of the stored version", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await editingNewFile(page, "e2e conflict read cancelled", "race.txt", "v1", "mine ");
  await trpcMutation(page, "files.write", { projectId, path: "race.txt", content: "v2\n" });
  await expect(toast(page, "race.txt changed elsewhere")).toBeVisible();

  // The refused save reads what is stored now. That read is held until another save lands and its
  // change event reaches the page: the feed cancels reads of the file in flight (they may predate
  // the change), as it does when the save and someone else's change cross.
  const reads: string[] = [];
  await page.route(/\/api\/trpc\/[^?]*files\.read/, async (route) => {
    reads.push(route.request().url());
    if (reads.length === 1) {
      await trpcMutation(page, "files.write", { projectId, path: "race.txt", content: "v3\n" });
      await expect.poll(() => reads.length, { timeout: 15_000 }).toBeGreaterThan(1);
    }
    await route.continue().catch(() => {}); // the page may have given this read up
  });
  await page.keyboard.press("Control+s");
  const dialog = page.getByTestId("save-conflict-dialog");
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId("editor-message")).toHaveText("Not saved: race.txt changed elsewhere. Compare, overwrite or reload.");
  await page.getByTestId("conflict-compare").click();
  await expect(page.getByTestId("conflict-diff").locator(".editor.original .view-lines")).toContainText("v3");
  await page.unrouteAll({ behavior: "ignoreErrors" });
  await page.getByTestId("conflict-overwrite").click();
  await expect(dialog).toBeHidden();
  expect(await stored(page, projectId, "race.txt")).toBe("mine v1\n");
});

test("a file deleted elsewhere during an edit: the edits stay, the save asks, Overwrite brings the file back", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await editingNewFile(page, "e2e conflict deleted", "gone.txt", "keep me", "edited ");
  await trpcMutation(page, "files.delete", { projectId, path: "gone.txt" });
  await expect(toast(page, "gone.txt was deleted elsewhere")).toBeVisible();
  await expect(lines(page)).toContainText("edited keep me");

  await page.keyboard.press("Control+s");
  const dialog = page.getByTestId("save-conflict-dialog");
  await expect(dialog).toContainText("gone.txt was deleted elsewhere");
  await expect(page.getByTestId("editor-message")).toHaveText("Not saved: gone.txt was deleted elsewhere. Compare, overwrite or reload.");
  await page.getByTestId("conflict-overwrite").click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("editor-message")).toHaveText("Saved gone.txt");
  expect(await stored(page, projectId, "gone.txt")).toBe("edited keep me\n");
  await expect(page.getByTestId("file-gone.txt")).toBeVisible();
});

test("an AI writes through the API during a local edit: the person is told, their save asks, and the AI's stale write is refused", async ({ page }) => {
  test.setTimeout(150_000);
  const projectId = await newProjectInIde(page, "e2e ai conflict");
  const rest = `/api/sandbox/projects/${projectId}/files`;
  const aiWrite = (body: Record<string, unknown>) =>
    page.request.post(rest, { data: { path: "app.js", ai_personality: "geppo", ...body }, headers: appOriginHeader(page) });
  const first = await aiWrite({ content: "console.log('v1');\n", base_version: null });
  expect(first.status()).toBe(201);
  const v1 = ((await first.json()) as { version: string }).version;
  await openFile(page, "app.js", "console.log('v1');");
  await typeAtTop(page, "// person was here\n");

  // The AI rewrites the file, based on the version it wrote (current): accepted.
  const second = await aiWrite({ content: "console.log('v2 by geppo');\n", base_version: v1 });
  expect(second.status()).toBe(201);
  await expect(toast(page, "app.js changed elsewhere")).toBeVisible();
  await expect(lines(page)).toContainText("person was here");

  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-conflict-dialog")).toBeVisible();
  await page.getByTestId("conflict-compare").click();
  await expect(page.getByTestId("conflict-diff").locator(".editor.original .view-lines")).toContainText("v2 by geppo");
  await page.getByTestId("conflict-overwrite").click();
  await expect(page.getByTestId("save-conflict-dialog")).toBeHidden();
  expect(await stored(page, projectId, "app.js")).toBe("// person was here\nconsole.log('v1');\n");

  // The AI writes again from its stale version: 409 with the person's version, nothing written.
  const stale = await aiWrite({ content: "console.log('v3');\n", base_version: v1 });
  expect(stale.status()).toBe(409);
  const refusal = (await stale.json()) as { error: { conflicts: { path: string; current_version: string }[] } };
  const current = ((await trpcQuery(page, "files.read", { projectId, path: "app.js" })) as { version: string }).version;
  expect(refusal.error.conflicts).toEqual([{ path: "app.js", base_version: v1, current_version: current }]);
  expect(await stored(page, projectId, "app.js")).toBe("// person was here\nconsole.log('v1');\n");
});

test("no 'changed elsewhere' after a save while a shell is open; a real change from the shell still arrives", async ({ page }) => {
  test.setTimeout(180_000);
  const projectId = await newProjectInIde(page, "e2e shell save");
  await trpcMutation(page, "files.write", { projectId, path: "notes.txt", content: "notes\n" });
  await page.getByRole("tab", { name: "Shell" }).click();
  await expect(page.getByTestId("shell-state")).toHaveText("connected", { timeout: 60_000 });
  await expect(page.getByTestId("shell-output")).toContainText("sandbox@sandbox:/workspace$", { timeout: 30_000 });

  await openFile(page, "notes.txt", "notes");
  // Toasts leave after a few seconds: every one shown from here on is recorded.
  await page.evaluate(() => {
    const seen: string[] = [];
    Object.assign(window, { seenToasts: seen });
    new MutationObserver(() => {
      for (const t of document.querySelectorAll("[data-sonner-toast]")) if (!seen.includes(t.textContent ?? "")) seen.push(t.textContent ?? "");
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const toastsSeen = () => page.evaluate(() => (window as unknown as { seenToasts: string[] }).seenToasts);
  for (const round of [1, 2, 3]) {
    await typeAtTop(page, `saved ${round} `);
    await page.keyboard.press("Control+s");
    // The marker goes once the save is answered, i.e. after it was pushed into the live container.
    await expect(page.getByTestId("unsaved-marker")).toHaveCount(0);
    await expect(page.getByTestId("editor-message")).toHaveText("Saved notes.txt");
    // The shell's Enter saves what changed in the container (the file the save just pushed there).
    await page.getByTestId("shell-output").click();
    await page.keyboard.type("cat notes.txt");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("shell-output")).toContainText(`saved ${round} `);
  }
  await page.waitForTimeout(3_000);
  expect((await toastsSeen()).filter((t) => t.includes("elsewhere"))).toEqual([]);
  await expect(page.getByTestId("save-conflict-dialog")).toBeHidden();

  // A real change made in the shell reaches the clean tab.
  await page.keyboard.type("echo from-the-shell >> notes.txt");
  await page.keyboard.press("Enter");
  await expect(lines(page)).toContainText("from-the-shell", { timeout: 30_000 });
  expect((await toastsSeen()).filter((t) => t.includes("elsewhere"))).toEqual([]);
  expect(await stored(page, projectId, "notes.txt")).toContain("from-the-shell");
});

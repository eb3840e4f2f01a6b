import { expect, test } from "@playwright/test";
import { keepScreenshot, newProjectInIde, trpcMutation } from "./support";

test("IntelliSense knows the project's other files: an import resolves, a type change elsewhere squiggles here", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await newProjectInIde(page, "e2e intellisense");
  await trpcMutation(page, "files.write", { projectId, path: "src/math.ts", content: "export const answer: number = 42;\n" });
  await trpcMutation(page, "files.write", {
    projectId,
    path: "src/main.ts",
    content: 'import { answer } from "./math";\nexport const doubled: number = answer * 2;\n',
  });
  await page.getByTestId("file-src/main.ts").click();
  const editor = page.locator(".monaco-editor");
  await expect(editor.locator(".view-lines")).toContainText("doubled");
  // Give the TypeScript worker time to check the file: a resolved import leaves no error.
  await expect(editor.locator(".mtk1, .mtk5").first()).toBeVisible();
  await page.waitForTimeout(2500);
  await expect(editor.locator(".squiggly-error")).toHaveCount(0);

  // Elsewhere, math.ts changes type: main.ts (open, unmodified) is now wrong, and says so.
  await trpcMutation(page, "files.write", { projectId, path: "src/math.ts", content: 'export const answer: string = "42";\n' });
  await expect(editor.locator(".squiggly-error").first()).toBeVisible({ timeout: 20_000 });

  // An import of a file that does not exist is an error too (no catch-all hides it).
  await page.keyboard.press("Control+End");
  await page.keyboard.type('\nimport { gone } from "./missing";');
  await page.keyboard.press("Escape");
  await expect(editor.locator(".squiggly-error")).toHaveCount(2, { timeout: 20_000 });
  // Hovering the import names the problem.
  await editor.locator(".view-lines span span", { hasText: "./missing" }).hover();
  await expect(page.locator(".monaco-hover").filter({ hasText: "Cannot find module './missing'" })).toBeVisible();
  await keepScreenshot(page, "ide-intellisense");
});

test("the template's own code shows no false errors", async ({ page }) => {
  test.setTimeout(120_000);
  await newProjectInIde(page, "e2e clean template", "node-api");
  await page.getByTestId("file-src/server.ts").click();
  const editor = page.locator(".monaco-editor");
  await expect(editor.locator(".view-lines")).toContainText("createServer");
  await page.waitForTimeout(4000);
  await expect(editor.locator(".squiggly-error")).toHaveCount(0);
});

test("Vim and Emacs keybindings: a setting stored with the account", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await newProjectInIde(page, "e2e keymap");
  await trpcMutation(page, "files.write", { projectId, path: "notes.txt", content: "first line\nsecond line\n" });
  await page.getByTestId("file-notes.txt").click();
  const lines = page.locator(".monaco-editor .view-lines");
  await expect(lines).toContainText("second line");

  await page.getByLabel("Editor keybindings").selectOption("vim");
  await expect(page.getByTestId("vim-status")).toBeVisible();
  await page.locator(".monaco-editor .view-lines").click();
  // Normal mode: gg dd deletes the first line; then i types, Escape leaves insert mode.
  await page.keyboard.press("Escape");
  await page.keyboard.type("ggdd");
  await expect(lines).not.toContainText("first line");
  await page.keyboard.type("ivim was here ");
  await page.keyboard.press("Escape");
  await expect(lines).toContainText("vim was here second line");
  await expect(page.getByTestId("unsaved-marker")).toBeVisible();
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("editor-message")).toHaveText("Saved notes.txt");

  // The setting follows the account: after a reload (and in any browser) Vim is still on.
  await page.reload();
  await expect(page.getByLabel("Editor keybindings")).toHaveValue("vim");
  await page.getByTestId("file-notes.txt").click();
  await expect(page.getByTestId("vim-status")).toBeVisible();
  await expect(lines).toContainText("vim was here second line");
  await keepScreenshot(page, "ide-vim");

  // Emacs: C-e goes to the end of the line, C-a to its start.
  await page.getByLabel("Editor keybindings").selectOption("emacs");
  await expect(page.getByTestId("vim-status")).toBeHidden();
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Control+e");
  await page.keyboard.type("!");
  await page.keyboard.press("Control+a");
  await page.keyboard.type(">");
  await expect(lines).toContainText(">vim was here second line!");
  await page.reload();
  await expect(page.getByLabel("Editor keybindings")).toHaveValue("emacs");
  await page.getByLabel("Editor keybindings").selectOption("default");
  await page.reload();
  await expect(page.getByLabel("Editor keybindings")).toHaveValue("default");
});

test("a project with many source files: IntelliSense reads arrive in URL-bounded batches, none refused", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await newProjectInIde(page, "e2e many files");
  const writes = Array.from({ length: 120 }, (_, i) => ({
    path: `src/generated/module-with-a-long-name-${i}.ts`,
    content: `export const value${i} = ${i};\n`,
  }));
  writes.push({ path: "src/index.ts", content: 'import { value119 } from "./generated/module-with-a-long-name-119";\nexport const n: number = value119;\n' });
  await trpcMutation(page, "files.writeMany", { projectId, writes, deletes: [] });
  const refused: string[] = [];
  page.on("response", (r) => r.url().includes("/api/trpc/") && r.status() >= 400 && refused.push(`${r.status()} ${r.url().slice(0, 80)}`));
  await page.reload();
  await page.getByTestId("file-src/index.ts").click();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("value119");
  await page.waitForTimeout(3000);
  await expect(page.locator(".monaco-editor .squiggly-error")).toHaveCount(0);
  expect(refused).toEqual([]);
});

test("opening a project opens its entry point, reopens the tabs left open, and loads nothing from outside the app", async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  // Every request (and socket) goes to the app, or to a preview (same host, its own port): Monaco,
  // its workers and its loader come from this server, never a CDN.
  const app = new URL(baseURL ?? "http://localhost");
  const outside: string[] = [];
  const check = (url: string) => {
    if (url.startsWith("data:") || url.startsWith("blob:")) return;
    const u = new URL(url);
    if (u.origin !== app.origin && u.hostname !== app.hostname) outside.push(url);
  };
  page.on("request", (request) => check(request.url()));
  page.on("websocket", (socket) => check(socket.url().replace(/^ws/, "http")));

  const projectId = await newProjectInIde(page, "e2e entry and tabs", "node-api");
  const lines = page.locator(".monaco-editor .view-lines");
  const tab = (path: string) => page.getByTestId(`tab-${path}`);
  // Nothing clicked: the template's entry point is open and shown.
  await expect(tab("src/server.ts")).toHaveAttribute("aria-selected", "true");
  await expect(lines).toContainText("createServer");

  // Open two more files, close the entry point, come back to the README.
  await page.getByTestId("file-README.md").click();
  await expect(lines).toContainText("Node API");
  await page.getByTestId("file-package.json").click();
  await expect(tab("package.json")).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "Close src/server.ts" }).click();
  await tab("README.md").getByRole("button", { name: "README.md", exact: true }).click();
  await expect(tab("README.md")).toHaveAttribute("aria-selected", "true");

  // A reload restores exactly those tabs, the README in front.
  await page.reload();
  // Restoring reads the files first; with the Docker suites beside it on 2 cores that can be slow.
  await expect(tab("README.md")).toHaveAttribute("aria-selected", "true", { timeout: 45_000 });
  await expect(tab("package.json")).toBeVisible();
  await expect(tab("src/server.ts")).toHaveCount(0);
  await expect(lines).toContainText("Node API");
  await expect(page.getByRole("tablist", { name: "Open files" }).getByRole("tab")).toHaveCount(2);

  // A remembered file deleted meanwhile is not reopened; the others are.
  await trpcMutation(page, "files.delete", { projectId, path: "README.md" });
  await page.reload();
  await expect(tab("package.json")).toHaveAttribute("aria-selected", "true", { timeout: 45_000 });
  await expect(lines).toContainText("vitest run");
  await expect(tab("README.md")).toHaveCount(0);

  // Ctrl+S saves from the restored tab.
  await lines.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n");
  await expect(page.getByTestId("unsaved-marker")).toBeVisible();
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("editor-message")).toHaveText("Saved package.json");
  await keepScreenshot(page, "ide-tabs-restored");

  expect(outside, "no request leaves the app's origin (or a preview's)").toEqual([]);
});

test("a project without an entry point opens its README.md; one with neither opens nothing", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await newProjectInIde(page, "e2e readme first");
  await expect(page.getByText("Open a file from the tree.")).toBeVisible();
  await trpcMutation(page, "files.writeMany", {
    projectId,
    writes: [
      { path: "notes.txt", content: "not this one\n" },
      { path: "README.md", content: "# Read me first\n" },
    ],
    deletes: [],
  });
  await page.reload();
  await expect(page.getByTestId("tab-README.md")).toHaveAttribute("aria-selected", "true", { timeout: 45_000 });
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("Read me first");
  await expect(page.getByTestId("tab-notes.txt")).toHaveCount(0);
});

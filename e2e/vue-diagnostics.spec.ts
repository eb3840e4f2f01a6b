import { expect, test } from "@playwright/test";
import { keepScreenshot, newProjectInIde } from "./support";
import { terminalRows } from "./terminal-support";

// Issue 19 point 3 for Vue single-file components: App.vue of the Vue template shows no errors,
// and a type error typed into its <script setup> shows vue-tsc's own message on its line, as
// vue-tsc in the sandbox reports it. The check runs on the server (files.vueDiagnostics).

const VUE_TSC_MESSAGE = "Type 'string' is not assignable to type 'number'.";

test("Vue template: App.vue shows no errors; a type error in <script setup> shows vue-tsc's message on its line", async ({ page }) => {
  test.setTimeout(300_000);
  await newProjectInIde(page, "e2e vue sfc", "vue-app");
  const firstCheck = page.waitForResponse((r) => r.url().includes("files.vueDiagnostics") && r.ok(), { timeout: 120_000 });
  await page.getByTestId("file-src/App.vue").click();
  const editor = page.locator(".monaco-editor");
  await expect(editor.locator(".view-lines")).toContainText("withDefaults");
  await firstCheck;
  const squiggles = editor.locator(".squiggly-error");
  await expect(squiggles).toHaveCount(0);
  await keepScreenshot(page, "ide-vue-sfc-no-errors");

  // Line 2, right under `<script setup lang="ts">`.
  await editor.locator(".view-lines").click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type('const n: number = "x";');
  await page.keyboard.press("Escape");
  await expect(squiggles).toHaveCount(1, { timeout: 120_000 });
  // The hover at the error, asked from the keyboard (Ctrl+K Ctrl+I) with the cursor on `n`
  // (line 2, column 7): the message is there, so the marker is on that line and column.
  const hover = page.locator(".monaco-hover").filter({ hasText: VUE_TSC_MESSAGE });
  await expect(async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Home");
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await expect(hover).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 45_000 });
  await expect(hover).toContainText("2322");
  await keepScreenshot(page, "ide-vue-sfc-type-error");

  // vue-tsc in the sandbox says the same, at the same line and column.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+S");
  await expect(page.getByTestId("editor-message")).toHaveText("Saved src/App.vue");
  await page.getByLabel("Command", { exact: true }).fill("npx vue-tsc --noEmit --pretty false");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("exit", { timeout: 180_000 });
  const unwrapped = (text: string) => text.replace(/\s+/g, "");
  await expect
    .poll(async () => unwrapped((await terminalRows(page, "run-output")).join("")), { timeout: 30_000 })
    .toContain(unwrapped(`src/App.vue(2,7): error TS2322: ${VUE_TSC_MESSAGE}`));

  // Fixing it clears the marker.
  await editor.locator(".view-lines").click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Delete");
  await expect(squiggles).toHaveCount(0, { timeout: 120_000 });
});

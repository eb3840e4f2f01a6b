import { expect, type Page, test } from "@playwright/test";
import { keepScreenshot, newProjectInIde, trpcMutation, trpcQuery } from "./support";
import { terminalRows } from "./terminal-support";

// Issue 19, points 2 and 3: output that keeps the crash after a flood; editor errors that match tsc.

// A program that flushes what it printed before it crashes (Python flushes stdout only at exit,
// after the traceback, and stdout and stderr are two pipes Docker reads side by side: the pause
// lets the first be read before the second, as in execution-streaming.docker.test.ts).
const FLOOD = `import sys
import time
filler = "x" * 90
for n in range(100):
    sys.stdout.write("".join(f"line {n * 1000 + i:06d} {filler}\\n" for i in range(1000)))  # 10 MB in all
sys.stdout.flush()
time.sleep(0.3)


def crash():
    raise ValueError("crash after the flood")


crash()
`;

test("a crash after 10 MB of output: the IDE shows the traceback live, and the stored output has head, marker and tail", async ({ page }) => {
  test.setTimeout(240_000);
  const projectId = await newProjectInIde(page, "e2e flood then crash", "python-script");
  await trpcMutation(page, "files.write", { projectId, path: "flood.py", content: FLOOD });
  await page.getByLabel("Command", { exact: true }).fill("python3 flood.py");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("exit 1", { timeout: 120_000 });
  await expect(page.getByTestId("run-status")).toContainText("output truncated");
  // The terminal ends with the last lines of the flood, then the crash: whole lines, in order.
  await expect
    .poll(async () => (await terminalRows(page, "run-output")).join("\n"), { timeout: 30_000 })
    .toMatch(
      /line 099999 x{90}\n\s*Traceback \(most recent call last\):\n[\s\S]*File "\/workspace\/flood\.py", line 11, in crash\n[\s\S]*ValueError: crash after the flood/,
    );
  const rows = (await terminalRows(page, "run-output")).map((r) => r.trimEnd()).filter(Boolean);
  for (const row of rows.filter((r) => r.startsWith("line "))) expect(row).toMatch(/^line \d{6} x{90}$/);
  await keepScreenshot(page, "ide-flood-then-crash");

  // The stored output (what executions.get, REST and MCP answer): head, the marker, the tail, the traceback.
  await page.getByRole("tab", { name: "Executions" }).click();
  await page.getByTestId("executions-table").locator("tbody tr").first().click();
  const output = page.getByTestId("execution-output");
  await expect(output).toContainText("line 000000 x", { timeout: 30_000 });
  await expect(output).toContainText(/\[pantheon: stdout passed 512 KiB: cutting its middle; its last 256 KiB follow\]/);
  await expect(output).toContainText(/\[pantheon: [\d.]+ MiB \([\d,]+ lines\) of stdout cut\]/);
  await expect(output).toContainText("line 099999 x");
  await expect(output.locator(".stderr")).toContainText("ValueError: crash after the flood");
  // The panel ends with the crash: the traceback is the last thing shown, after stdout's tail.
  expect((await output.innerText()).trimEnd()).toMatch(
    /line 099999 x{90}\n[\s\S]*Traceback \(most recent call last\):[\s\S]*ValueError: crash after the flood$/,
  );
  // The header says what was cut, from the stored record (not from the marker text a program could print).
  await expect(page.getByTestId("execution-truncation")).toHaveText(/output truncated: [\d.]+ MB \([\d,]+ lines\) of stdout cut from the middle/);
  // The API gives the same record to machines: the cap's own lines by byte range.
  const executionId = Number((await page.getByTestId("execution-detail").getAttribute("aria-label"))!.replace(/\D/g, ""));
  const stored = (await trpcQuery(page, "executions.get", { executionId })) as {
    output: string;
    outputTruncation: { stdout: { inserted: { offset: number; length: number }[] } };
  };
  const bytes = new TextEncoder().encode(stored.output);
  const inserted = stored.outputTruncation.stdout.inserted.map((r) => new TextDecoder().decode(bytes.subarray(r.offset, r.offset + r.length)));
  expect(inserted).toEqual([expect.stringMatching(/^\[pantheon: stdout passed/), expect.stringMatching(/^\[pantheon: .* of stdout cut\]\n$/)]);
  await keepScreenshot(page, "ide-flood-then-crash-stored");
});

/** Opens a file and waits until the editor's TypeScript has checked it with the project's typings. */
async function openAndSettle(page: Page, path: string, text: string) {
  await page.getByTestId(`file-${path}`).click();
  const editor = page.locator(".monaco-editor");
  await expect(editor.locator(".view-lines")).toContainText(text);
  return editor;
}

/** Zero error squiggles, and still zero a while later (the first check may run before the typings arrive). */
async function expectNoErrors(page: Page) {
  const squiggles = page.locator(".monaco-editor .squiggly-error");
  await expect(squiggles).toHaveCount(0, { timeout: 30_000 });
  await page.waitForTimeout(3000);
  await expect(squiggles).toHaveCount(0);
}

const TSC_MESSAGE = "Type 'string' is not assignable to type 'number'.";

test("React template: App.tsx and index.tsx show no errors; a type error shows tsc's own message", async ({ page }) => {
  test.setTimeout(240_000);
  const typings = page.waitForResponse((r) => r.url().endsWith("/api/editor-types/react") && r.ok(), { timeout: 60_000 });
  await newProjectInIde(page, "e2e react typings", "react-app");
  await openAndSettle(page, "src/App.tsx", "useState");
  await typings;
  await expectNoErrors(page);
  await openAndSettle(page, "src/index.tsx", "createRoot");
  await expectNoErrors(page);
  await keepScreenshot(page, "ide-react-no-false-errors");

  await openAndSettle(page, "src/App.tsx", "useState");
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type('\nexport const port: number = "3000";');
  await page.keyboard.press("Escape");
  const squiggle = page.locator(".monaco-editor .squiggly-error");
  await expect(squiggle).toHaveCount(1, { timeout: 30_000 });
  // The hover at the error, asked from the keyboard (Ctrl+K Ctrl+I, "show hover"): the cursor on
  // `port` (columns 14–17 of the new line) is exact where a mouse position over a narrow, scrolled
  // editor is not.
  const hover = page.locator(".monaco-hover").filter({ hasText: TSC_MESSAGE });
  await expect(async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("End");
    await page.keyboard.press("Home");
    for (let i = 0; i < 15; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await expect(hover).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 45_000 });
  await page.keyboard.press("Control+S");
  await expect(page.getByTestId("editor-message")).toHaveText("Saved src/App.tsx");
  // The compiler in the sandbox says the same.
  await page.getByLabel("Command", { exact: true }).fill("npx tsc --noEmit");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("exit", { timeout: 120_000 });
  // The terminal wraps long lines (the preview sits beside it): compare without the wrapping.
  const unwrapped = (text: string) => text.replace(/\s+/g, "");
  await expect
    .poll(async () => unwrapped((await terminalRows(page, "run-output")).join("")), { timeout: 30_000 })
    .toContain(unwrapped(`error TS2322: ${TSC_MESSAGE}`));
  await keepScreenshot(page, "ide-react-type-error");
});

test("Vue template: main.ts resolves ./App.vue and shows no errors", async ({ page }) => {
  test.setTimeout(180_000);
  const typings = page.waitForResponse((r) => r.url().endsWith("/api/editor-types/vue") && r.ok(), { timeout: 60_000 });
  await newProjectInIde(page, "e2e vue typings", "vue-app");
  await openAndSettle(page, "src/main.ts", "createApp");
  await typings;
  await expectNoErrors(page);
  // A real error in Vue's API is still one (Vue's typings, not `any`).
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\ncreateApp(App).mount(42);");
  await page.keyboard.press("Escape");
  await expect(page.locator(".monaco-editor .squiggly-error")).toHaveCount(1, { timeout: 30_000 });
  await keepScreenshot(page, "ide-vue-typings");
});

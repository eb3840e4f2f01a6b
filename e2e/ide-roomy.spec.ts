import { mkdirSync } from "node:fs";
import { expect, type Locator, type Page, test } from "@playwright/test";
import ts from "typescript";
import { newCredentials, showPreview, trpcMutation } from "./support";

// Issue 19 point 6: a roomier IDE. Screenshots of the layout at 1366×768 go to test-results/ide-layout.
const SHOTS = "test-results/ide-layout";
test.use({ viewport: { width: 1366, height: 768 } });

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

async function signUpNamed(page: Page, name: string | null) {
  const creds = newCredentials();
  await page.goto("/signup");
  // Typing before the form is hydrated would submit it natively (a GET with the fields in the URL).
  await page.waitForLoadState("networkidle");
  if (name) await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password (12 characters or more)").fill(creds.password);
  await page.getByLabel("Repeat password").fill(creds.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/projects$/);
  return creds;
}

async function createProject(page: Page, name: string, template: string) {
  await page.getByLabel("Project name").fill(name);
  await page.getByLabel("Template").selectOption(template);
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/\/projects\/\d+$/);
  return Number(new URL(page.url()).pathname.split("/").pop());
}

/** Clicks `text` where xterm drew it (a real pointer over the characters: xterm's link layer decides). */
async function clickTerminalText(page: Page, terminal: Locator, text: string) {
  // xterm's DOM renderer replaces row elements as it repaints: measure until the text stays put.
  const measure = () =>
    terminal.evaluate((host, wanted) => {
      // The last occurrence: the newest output, at the bottom of the visible rows.
      const walker = document.createTreeWalker(host.querySelector(".xterm-rows") ?? host, NodeFilter.SHOW_TEXT);
      let found: { x: number; y: number } | null = null;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = (node.textContent ?? "").replace(/\u00a0/g, " ").lastIndexOf(wanted);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at + 2);
        range.setEnd(node, at + 3);
        const box = range.getBoundingClientRect();
        found = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      return found;
    }, text);
  await expect.poll(measure, { timeout: 30_000 }).not.toBeNull();
  const point = await measure();
  if (!point) throw new Error(`${text} is not on screen`);
  await page.mouse.move(point.x, point.y);
  await page.waitForTimeout(300); // xterm asks the link providers on hover
  await page.mouse.click(point.x, point.y);
}

/** A 0.01 s mono 8-bit PCM WAV file (header + 80 samples of a square wave). */
function wav(): Buffer {
  const samples = Buffer.from(Array.from({ length: 80 }, (_, i) => (i % 10 < 5 ? 0xc0 : 0x40)));
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + samples.length, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(8000, 28); // byte rate
  header.writeUInt16LE(1, 32); // block align
  header.writeUInt16LE(8, 34); // bits per sample
  header.write("data", 36, "latin1");
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

const activeLine = (page: Page) => page.locator(".monaco-editor .line-numbers.active-line-number").first();

async function runCommand(page: Page, command: string, expectText: string) {
  const input = page.getByLabel("Command", { exact: true });
  await input.fill(command);
  await input.press("Enter");
  await expect(page.getByTestId("run-output")).toContainText(expectText, { timeout: 90_000 });
}

test("the IDE at 1366×768: entry file open, preview beside the editor, file:line links (source-mapped), images and binaries, a failed server's output in full", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await signUpNamed(page, "Ada Lovelace");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Ada Lovelace");
  const projectId = await createProject(page, "e2e roomy", "react-app");

  // Nothing clicked: the entry file is open; the header names the person; the preview is beside the editor.
  await expect(page.getByTestId("tab-src/index.tsx")).toHaveAttribute("aria-selected", "true", { timeout: 45_000 });
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("createRoot");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Ada Lovelace");
  await expect(page.getByTestId("preview-toggle")).toHaveAttribute("aria-pressed", "true");
  const editor = await page.getByTestId("editor-host").boundingBox();
  const preview = await page.getByTestId("preview-pane").boundingBox();
  const output = await page.getByTestId("run-output").boundingBox();
  if (!editor || !preview || !output) throw new Error("the IDE's areas are not laid out");
  // Side by side, inside the window, each with room to work.
  expect(preview.x).toBeGreaterThanOrEqual(editor.x + editor.width - 1);
  expect(preview.x + preview.width).toBeLessThanOrEqual(1366);
  expect(preview.width).toBeGreaterThanOrEqual(280);
  expect(preview.height).toBeGreaterThan(500);
  expect(editor.width).toBeGreaterThanOrEqual(450);
  expect(editor.height).toBeGreaterThanOrEqual(250);
  expect(output.height).toBeGreaterThanOrEqual(120);
  await expect(page.getByRole("button", { name: "Run", exact: true })).toBeInViewport();
  await expect(page.getByTestId("start-dev-server")).toBeInViewport();
  await shot(page, "ide-react-1366x768");

  // The preview is resizable: dragging the separator between the editor and the preview widens it.
  const previewWidth = async () => (await page.getByTestId("preview-pane").boundingBox())?.width ?? 0;
  const widthBefore = await previewWidth();
  const separator = await page.locator(".resize-handle.vertical").last().boundingBox();
  if (!separator) throw new Error("no separator beside the preview");
  await page.mouse.move(separator.x + separator.width / 2, separator.y + separator.height / 2);
  await page.mouse.down();
  await page.mouse.move(separator.x + separator.width / 2 - 150, separator.y + separator.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect.poll(previewWidth).toBeGreaterThan(widthBefore + 100);
  expect((await page.getByTestId("editor-host").boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(300);
  await shot(page, "ide-preview-widened-1366x768");

  // Files for the links: a crash, a compiled file with its source map, and forged references.
  // One stack frame per error: the bottom panel's rows hold the whole trace.
  const source = [
    "Error.stackTraceLimit = 1;",
    "export function fail(reason: string): never {",
    "  const message: string = `failed: ${reason}`;",
    "  throw new Error(message);",
    "}",
    "fail('mapped');",
    "",
  ].join("\n");
  const compiled = ts.transpileModule(source, {
    fileName: "gen.ts",
    compilerOptions: { sourceMap: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const map = { ...(JSON.parse(compiled.sourceMapText ?? "{}") as object), sources: ["../src/gen.ts"], file: "gen.cjs" };
  const PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  await trpcMutation(page, "files.writeMany", {
    projectId,
    writes: [
      { path: "crash.js", content: "Error.stackTraceLimit = 1; // a crash on line 3\nfunction boom() {\n  throw new Error('boom');\n}\nboom();\n" },
      { path: "src/gen.ts", content: source },
      { path: "dist/gen.cjs", content: compiled.outputText.replace(/\/\/# sourceMappingURL=.*$/m, "//# sourceMappingURL=gen.cjs.map") },
      { path: "dist/gen.cjs.map", content: JSON.stringify(map) },
      { path: "devcrash.cjs", content: "for (let i = 0; i < 60; i++) console.log(`starting step ${i}`);\nthrow new Error('dev server crashed');\n" },
      { path: "img/dot.png", content: PNG_1x1, encoding: "base64" },
      {
        path: "logo.svg",
        content:
          '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="window.__svgRan=1"><script>window.__svgRan=2</script><rect width="40" height="20" fill="#7c9cff"/></svg>\n',
      },
      { path: "data.bin", content: Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]).toString("base64"), encoding: "base64" },
      { path: "doc.pdf", content: Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "latin1").toString("base64"), encoding: "base64" },
      { path: "tone.wav", content: wav().toString("base64"), encoding: "base64" },
    ],
    deletes: [],
  });

  // Node stack trace → the file at the line.
  const terminal = page.getByTestId("run-output");
  await runCommand(page, "node crash.js", "at boom (file:///workspace/crash.js:3");
  await clickTerminalText(page, terminal, "/workspace/crash.js:3:");
  await expect(page.getByTestId("tab-crash.js")).toHaveAttribute("aria-selected", "true");
  await expect(activeLine(page)).toHaveText("3");

  // A compiled file with a .map beside it → the TypeScript source at the original line.
  await runCommand(page, "node dist/gen.cjs", "/workspace/dist/gen.cjs:");
  const rows = (await terminal.locator(".xterm-rows > div").allTextContents()).map((r) => r.replace(/\u00a0/g, " "));
  const frame = rows.map((r) => /\/workspace\/dist\/gen\.cjs:\d+:\d+/.exec(r)?.[0]).find(Boolean);
  if (!frame) throw new Error(`no stack frame of dist/gen.cjs in ${rows.join("\n")}`);
  await clickTerminalText(page, terminal, frame);
  await expect(page.getByTestId("tab-src/gen.ts")).toHaveAttribute("aria-selected", "true");
  await expect(activeLine(page)).toHaveText("4");

  // Forged references and paths outside the workspace open nothing.
  const tabs = page.getByRole("tablist", { name: "Open files" }).getByRole("tab");
  const before = await tabs.count();
  // One reference per line: a reference wrapped over two rows cannot be aimed at as one piece of text.
  await runCommand(page, "echo /workspace/../etc/passwd:1; echo /etc/hosts:2; echo /workspace/nothere.js:3", "nothere.js:3");
  for (const text of ["/workspace/../etc/passwd:1", "/etc/hosts:2", "/workspace/nothere.js:3"]) await clickTerminalText(page, terminal, text);
  await page.waitForTimeout(500);
  await expect(tabs).toHaveCount(before);
  await expect(page.getByTestId("tab-src/gen.ts")).toHaveAttribute("aria-selected", "true");
  await shot(page, "ide-links-1366x768");

  // An image shows as an image; an SVG is drawn by <img> (its script never runs); other binaries say what they are.
  await page.getByTestId("file-img/dot.png").click();
  await expect(page.getByTestId("image-view")).toBeVisible();
  await expect(page.getByTestId("binary-view")).toContainText("1×1 px");
  await page.getByTestId("file-logo.svg").click();
  await expect(page.getByTestId("binary-view")).toContainText("40×20 px");
  expect(await page.evaluate(() => (window as { __svgRan?: number }).__svgRan)).toBeUndefined();
  await shot(page, "ide-image-1366x768");
  await page.getByRole("button", { name: "Edit source" }).click();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("<svg");
  await page.getByTestId("file-data.bin").click();
  await expect(page.getByTestId("binary-note")).toContainText("Binary file, 8 bytes");
  await expect(page.getByTestId("binary-download")).toHaveAttribute("download", "data.bin");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("binary-download").click()]);
  expect(download.suggestedFilename()).toBe("data.bin");
  // Common binaries say what they are; audio and video play.
  await page.getByTestId("file-doc.pdf").click();
  await expect(page.getByTestId("binary-note")).toContainText("PDF document");
  await page.getByTestId("file-tone.wav").click();
  await expect(page.getByTestId("binary-note")).toContainText("WAV audio");
  await expect(page.getByTestId("media-view")).toBeVisible();
  await expect.poll(() => page.getByTestId("media-view").evaluate((el) => (el as HTMLMediaElement).readyState)).toBeGreaterThan(0);

  // A background server that fails: its whole output in the pane, scrollable, its trace linked.
  await showPreview(page);
  const pane = page.getByTestId("preview-pane");
  await pane.getByLabel("Background command").fill("node devcrash.cjs");
  await pane.getByLabel("Port").fill("9001");
  await pane.getByRole("button", { name: "Run in background" }).click();
  await expect(pane.getByTestId("process-status")).toContainText("exit 1", { timeout: 60_000 });
  const processOutput = pane.getByTestId("process-output");
  await expect(processOutput).toContainText("dev server crashed");
  await expect(processOutput).toContainText("starting step 0");
  // The pane grows as the failure notice and the output arrive: wait for the settled layout.
  await expect.poll(async () => (await processOutput.boundingBox())?.height ?? 0).toBeGreaterThan(300);
  await processOutput
    .getByRole("button", { name: /\/workspace\/devcrash\.cjs:2/ })
    .first()
    .click();
  await expect(page.getByTestId("tab-devcrash.cjs")).toHaveAttribute("aria-selected", "true");
  await expect(activeLine(page)).toHaveText("2");
  await shot(page, "ide-failed-server-1366x768");
});

test("dashboard at 1366×768: rename, duplicate and delete a project; a Python project suggests Python; the email shows when there is no name", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const creds = await signUpNamed(page, null);
  await expect(page.getByTestId("signed-in-as")).toHaveText(creds.email);
  const projectId = await createProject(page, "py original", "python-script");

  // The entry file opens; the hints are the template's own; no preview until asked (no dev server).
  await expect(page.getByTestId("tab-main.py")).toHaveAttribute("aria-selected", "true", { timeout: 45_000 });
  const command = page.getByLabel("Command", { exact: true });
  await command.fill("");
  await expect(command).toHaveAttribute("placeholder", /python3 -m unittest/);
  expect(await command.getAttribute("placeholder")).not.toMatch(/npm/);
  await expect(page.getByTestId("preview-toggle")).toHaveAttribute("aria-pressed", "false");
  await shot(page, "ide-python-1366x768");
  await showPreview(page);
  await expect(page.getByLabel("Background command")).toHaveAttribute("placeholder", /python3 -m http\.server/);

  await page.goto("/projects");
  const row = page.getByTestId(`project-row-${projectId}`);
  await row.getByRole("button", { name: "Rename py original" }).click();
  await row.getByLabel("New name for py original").fill("py renamed");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByRole("link", { name: "py renamed" })).toBeVisible();

  await row.getByRole("button", { name: "Duplicate py renamed" }).click();
  const copyLink = page.getByRole("link", { name: "py renamed (copy)" });
  await expect(copyLink).toBeVisible();
  await shot(page, "dashboard-1366x768");

  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Delete py renamed" }).click();
  await expect(row).toHaveCount(0);
  await expect(copyLink).toBeVisible();
  await page.reload();
  await expect(page.getByRole("link", { name: "py renamed", exact: true })).toHaveCount(0);

  // The copy has the files: its entry file opens.
  await page.getByRole("link", { name: "py renamed (copy)" }).click();
  await expect(page.getByTestId("tab-main.py")).toHaveAttribute("aria-selected", "true", { timeout: 45_000 });
});

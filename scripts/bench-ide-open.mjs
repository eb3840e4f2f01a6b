// Time from opening a project to an editable editor, measured in Chromium (Debian's, never
// downloaded) against a running server. Each run navigates to /projects/<id>, clicks the entry
// file as soon as the tree shows it (as a person would), and stops when a typed character is
// rendered by Monaco: that is "editable". Two series:
//   cold   a new browser context per run (empty HTTP cache: JS bundles, Monaco, its workers fetched)
//   warm   one context, a new tab per run (bundles from the browser's HTTP cache)
// Each sample also records when the file tree appeared.
//
// Usage: start the server (npm start), then
//   BENCH_URL=http://localhost:3000 BENCH_RUNS=20 node scripts/bench-ide-open.mjs
// It signs up a throw-away user and creates one node-api project. CHROMIUM_PATH overrides /usr/bin/chromium.
import { benchBase as base, launchChromium, signUpThrowaway, stats } from "./bench-browser.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 20);
const FILE = "src/server.ts";

const browser = await launchChromium();
const viewport = { width: 1366, height: 768 };

/** One opening in a fresh tab: navigation → tree → file clicked → a typed character rendered. */
async function openOnce(page, projectUrl, marker) {
  const started = performance.now();
  await page.goto(projectUrl, { waitUntil: "commit" });
  const row = page.getByTestId(`file-${FILE}`);
  await row.waitFor({ state: "visible", timeout: 60_000 });
  const tree = performance.now() - started;
  await row.click();
  await page.locator(".monaco-editor.focused").waitFor({ state: "visible", timeout: 60_000 });
  await page.keyboard.type(marker);
  await page.locator(".monaco-editor .view-lines", { hasText: marker }).waitFor({ timeout: 60_000 });
  return { tree, editable: performance.now() - started };
}

try {
  const setup = await browser.newContext({ baseURL: base, viewport });
  const page = await setup.newPage();
  await signUpThrowaway(page);
  await page.getByLabel("Project name").fill("bench open");
  await page.getByLabel("Template").selectOption("node-api");
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/\/projects\/\d+$/);
  const projectUrl = new URL(page.url()).pathname;
  const storageState = await setup.storageState();
  await setup.close();

  const cold = { tree: [], editable: [] };
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ baseURL: base, viewport, storageState });
    const sample = await openOnce(await context.newPage(), projectUrl, `c${i}`);
    cold.tree.push(sample.tree);
    cold.editable.push(sample.editable);
    await context.close();
  }

  const warm = { tree: [], editable: [] };
  const context = await browser.newContext({ baseURL: base, viewport, storageState });
  const first = await context.newPage();
  await openOnce(first, projectUrl, "w"); // fills the cache; not counted
  await first.close();
  for (let i = 0; i < runs; i++) {
    // A new tab in the same browser profile: bundles come from its HTTP cache. Closing a tab
    // skips beforeunload, so the unsaved marker characters never prompt.
    const tab = await context.newPage();
    const sample = await openOnce(tab, projectUrl, `w${i}`);
    warm.tree.push(sample.tree);
    warm.editable.push(sample.editable);
    await tab.close();
  }
  await context.close();

  const line = (name, s) =>
    `${name.padEnd(36)} median ${String(s.median).padStart(5)} ms   p95 ${String(s.p95).padStart(5)} ms   (n=${s.n}, min ${s.min}, max ${s.max})`;
  console.log(`IDE open → editable editor, ${base}, ${runs} runs per series, Chromium ${browser.version()}`);
  console.log(line("cold cache: open → file tree", stats(cold.tree)));
  console.log(line("cold cache: open → editable editor", stats(cold.editable)));
  console.log(line("warm cache: open → file tree", stats(warm.tree)));
  console.log(line("warm cache: open → editable editor", stats(warm.editable)));
} finally {
  await browser.close();
}

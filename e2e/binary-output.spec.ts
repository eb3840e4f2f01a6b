import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { keepScreenshot } from "./support";
import { newProject } from "./terminal-support";

// Issue 12 point 2: a program that prints binary (random bytes, NUL) does not break the IDE: the
// terminal keeps streaming, and the Executions panel shows the output with U+FFFD for bytes that
// are not text, says it is binary with its exact size, and downloads the exact bytes.

test("binary output: the terminal keeps streaming, the output panel shows it safely and downloads the exact bytes", async ({ page }) => {
  test.setTimeout(240_000);
  await newProject(page, "e2e binary output");
  const output = page.getByTestId("run-output");
  await expect(page.getByTestId("stream-state")).toHaveText("live");

  const command = page.getByLabel("Command");
  // 4096 random bytes and NUL, also written to a file so the program's own sha256 can be compared.
  await command.fill(String.raw`{ head -c 4096 /dev/urandom; printf '\0end\n'; } > out.bin; cat out.bin; printf 'after-binary\n'`);
  await command.press("Enter");
  await expect(page.getByTestId("run-status")).toContainText("success · exit 0", { timeout: 90_000 });
  await expect(output).toContainText("after-binary");
  // The stream still works after it: the next run shows up as usual.
  await command.fill("sha256sum out.bin");
  await command.press("Enter");
  await expect(output).toContainText("out.bin", { timeout: 60_000 });
  await expect(page.getByTestId("run-status")).toContainText("success · exit 0");
  const rows = await output.locator(".xterm-rows > div").evaluateAll((r) => r.map((row) => row.textContent ?? ""));
  const programSha = rows.join("\n").match(/\b([0-9a-f]{64})\s+out\.bin/)?.[1];
  expect(programSha).toMatch(/^[0-9a-f]{64}$/);
  await keepScreenshot(page, "binary-output-terminal");

  // The Executions panel: the binary run's stored output, shown safely, with its size and a download.
  await page.getByRole("tab", { name: "Executions" }).click();
  const table = page.getByTestId("executions-table");
  await expect(table.locator("tbody tr")).toHaveCount(2, { timeout: 30_000 });
  await table.locator("tbody tr").nth(1).click();
  const shown = page.getByTestId("execution-output");
  await expect(shown).toContainText("\uFFFDend");
  await expect(shown).toContainText("after-binary");
  const note = page.getByTestId("binary-stdout");
  // 4096 random bytes + "\0end\n" (5) + "after-binary\n" (13)
  await expect(note).toContainText("binary output: 4,114 bytes");
  await keepScreenshot(page, "binary-output-panel");
  const [download] = await Promise.all([page.waitForEvent("download"), note.getByRole("link", { name: "download" }).click()]);
  const bytes = readFileSync((await download.path()) ?? "");
  expect(bytes.length).toBe(4114);
  expect(createHash("sha256").update(bytes.subarray(0, 4101)).digest("hex")).toBe(programSha);
  expect(bytes.subarray(4096).toString("latin1")).toBe("\0end\nafter-binary\n");
});

import { expect, test } from "@playwright/test";
import { keepScreenshot } from "./support";
import { newProject, startDroppableProxy, terminalRows, trpcMutation } from "./terminal-support";

// The IDE's terminal on the real stack: the output view (xterm) streams executions with their
// colours, the command line keeps its history on the server, Ctrl+C cancels, and executions
// started by the chat service with an API key appear in an open IDE.

test("output terminal: coloured output, exit status, Ctrl+C cancels, history survives a reload", async ({ page }) => {
  test.setTimeout(180_000);
  await newProject(page, "e2e terminal");
  const output = page.getByTestId("run-output");
  await expect(output.locator(".xterm-rows")).toBeVisible();
  await expect(page.getByTestId("stream-state")).toHaveText("live");

  const command = page.getByLabel("Command");
  await command.fill(String.raw`printf '\033[32mgreen-ok\033[0m plain \033[1;31mred-bold\033[0m\n'; node -e "console.log(6*7)"`);
  await command.press("Enter");
  await expect(output).toContainText("42", { timeout: 90_000 });
  await expect(page.getByTestId("run-status")).toContainText("success · exit 0", { timeout: 30_000 });
  await expect(output).toContainText("✔ success · exit 0");
  // ANSI colours reach xterm as colours (palette classes), not as escape text.
  await expect(output.locator("span.xterm-fg-2", { hasText: "green-ok" })).toHaveCount(1);
  await expect(output.locator("span.xterm-fg-1.xterm-bold, span.xterm-fg-9.xterm-bold", { hasText: "red-bold" })).toHaveCount(1);
  expect((await terminalRows(page, "run-output")).map((r) => r.trim())).toContain("green-ok plain red-bold");
  await keepScreenshot(page, "terminal-output");

  // Ctrl+C in the command line cancels the running execution.
  await command.fill("echo started; sleep 60; echo never");
  await command.press("Enter");
  await expect(output).toContainText("started", { timeout: 60_000 });
  await expect(page.getByTestId("run-status")).toContainText("running");
  await command.press("Control+c");
  await expect(page.getByTestId("run-status")).toContainText("cancelled", { timeout: 20_000 });
  await expect(output).toContainText("■ cancelled");
  expect((await terminalRows(page, "run-output")).map((r) => r.trim())).not.toContain("never");

  // Ctrl+C inside the xterm itself does the same.
  await command.fill("sleep 61");
  await command.press("Enter");
  await expect(page.getByTestId("run-status")).toContainText("running", { timeout: 60_000 });
  await output.click();
  await page.keyboard.press("Control+c");
  await expect(page.getByTestId("run-status")).toContainText("cancelled", { timeout: 20_000 });

  // History: Up recalls the newest first, also after a reload (it is kept on the server).
  await page.reload();
  await expect(page.getByTestId("stream-state")).toHaveText("live");
  await expect(command).toHaveValue("npm start"); // the template's run command, until edited
  await expect(command).toHaveAttribute("data-history", "3");
  await command.fill("");
  await command.press("ArrowUp");
  await expect(command).toHaveValue("sleep 61");
  await command.press("ArrowUp");
  await expect(command).toHaveValue("echo started; sleep 60; echo never");
  await command.press("ArrowUp");
  await expect(command).toHaveValue(/green-ok/);
  await command.press("ArrowDown");
  await command.press("ArrowDown");
  await expect(command).toHaveValue("sleep 61");
  await command.press("ArrowDown");
  await expect(command).toHaveValue("");
});

test("an execution started by the chat service with an API key streams into the open IDE", async ({ page }) => {
  test.setTimeout(150_000);
  const { projectId } = await newProject(page, "e2e chat feed");
  await expect(page.getByTestId("stream-state")).toHaveText("live");
  const { key } = await trpcMutation<{ key: string }>(page, "apiKeys.create", { name: "chat", defaultAiPersonality: "geppo" });

  const started = await trpcMutation<{ executionId: number }>(
    page,
    "executions.run",
    { projectId, kind: "command", command: "for i in 1 2 3; do echo chat-line-$i; sleep 0.3; done" },
    { authorization: `Bearer ${key}` },
  );
  const output = page.getByTestId("run-output");
  await expect(output).toContainText(`#${started.executionId}`, { timeout: 60_000 });
  await expect(output).toContainText("(by geppo)");
  await expect(output).toContainText("chat-line-3", { timeout: 60_000 });
  await expect(page.getByTestId("run-status")).toContainText("success · exit 0", { timeout: 30_000 });
  const rows = (await terminalRows(page, "run-output")).join("\n");
  expect(rows.match(/chat-line-2/g)).toHaveLength(1);
  await keepScreenshot(page, "terminal-chat-feed");
});

test("interactive shell: a prompt in the project's container, answers, follows the terminal's size, ends with a message", async ({ page }) => {
  test.setTimeout(150_000);
  await newProject(page, "e2e shell");
  await page.getByRole("tab", { name: "Shell" }).click();
  await expect(page.getByTestId("shell-state")).toHaveText("connected", { timeout: 60_000 });
  const shell = page.getByTestId("shell-output");
  await expect(shell).toContainText("sandbox@sandbox:/workspace$", { timeout: 30_000 });
  const rows = async () => (await terminalRows(page, "shell-output")).map((r) => r.trimEnd());

  await shell.click();
  await page.keyboard.type("echo $((6*7)); ls");
  await page.keyboard.press("Enter");
  await expect.poll(rows).toContain("42");
  await expect(shell).toContainText("package.json");
  await keepScreenshot(page, "terminal-shell");

  // The PTY follows the xterm: a wider and taller window resizes it, and `stty size` sees it.
  let asked = 0;
  const size = async () => {
    const marker = `size${++asked}`;
    await page.keyboard.type(`clear; echo ${marker}: $(stty size)`);
    await page.keyboard.press("Enter");
    let found: number[] = [];
    await expect
      .poll(async () => {
        const match = (await rows()).map((r) => new RegExp(`^${marker}: (\\d+) (\\d+)$`).exec(r)).find(Boolean);
        found = match ? [Number(match[1]), Number(match[2])] : [];
        return found.length;
      })
      .toBe(2);
    return found;
  };
  const [rowsBefore, colsBefore] = await size();
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  await page.setViewportSize({ width: viewport.width + 320, height: viewport.height + 300 });
  await page.waitForTimeout(500);
  await shell.click();
  const [rowsAfter, colsAfter] = await size();
  expect(rowsAfter).toBeGreaterThan(rowsBefore ?? 0);
  expect(colsAfter).toBeGreaterThan((colsBefore ?? 0) + 20);

  await page.keyboard.type("exit 0");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("shell-state")).toHaveText("closed");
  await expect(page.getByTestId("shell-message")).toHaveText("The shell exited with code 0.");
  await page.getByRole("button", { name: "New shell" }).click();
  await expect(page.getByTestId("shell-state")).toHaveText("connected", { timeout: 60_000 });
  await expect(shell).toContainText("sandbox@sandbox:/workspace$");
});

test("a dropped connection shows reconnecting… and resumes the output exactly once", async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const { projectId } = await newProject(page, "e2e reconnect");
  const proxy = await startDroppableProxy(Number(new URL(baseURL ?? "").port));
  await page.setViewportSize({ width: 1280, height: 1500 }); // xterm renders only the rows in view: show them all
  try {
    await page.goto(`${proxy.url}/projects/${projectId}`);
    const state = page.getByTestId("stream-state");
    await expect(state).toHaveText("live", { timeout: 30_000 });
    const command = page.getByLabel("Command");
    await command.fill("for i in $(seq 1 12); do echo tick-$i; sleep 0.5; done");
    await command.press("Enter");
    const output = page.getByTestId("run-output");
    await expect(output).toContainText("tick-2", { timeout: 60_000 });

    // Every connection is cut and the server unreachable for a while; the run goes on meanwhile.
    const dropped = proxy.dropFor(3_000);
    await expect(state).toHaveText("reconnecting…", { timeout: 10_000 });
    await keepScreenshot(page, "terminal-reconnecting");
    await dropped;
    await expect(state).toHaveText("live", { timeout: 30_000 });
    await expect(page.getByTestId("run-status")).toContainText("success · exit 0", { timeout: 60_000 });

    const ticks = (await terminalRows(page, "run-output")).map((r) => r.trim()).filter((r) => r.startsWith("tick-"));
    expect(ticks).toEqual(Array.from({ length: 12 }, (_, i) => `tick-${i + 1}`));
  } finally {
    await proxy.close();
  }
});

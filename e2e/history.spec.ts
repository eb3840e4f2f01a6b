import { expect, test } from "@playwright/test";
import { keepScreenshot, newProjectInIde, trpcMutation, trpcQuery } from "./support";

test("History: a person's save and an AI's change set appear live with their authors; the diff is shown; Restore (confirmed) returns the file", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const projectId = await newProjectInIde(page, "e2e history");
  await trpcMutation(page, "files.write", { projectId, path: "notes.txt", content: "first version\n" });
  await page.getByRole("tab", { name: "History" }).click();
  const table = page.getByTestId("history-table");
  await expect(table.getByTestId("author-person").first()).toHaveText("you");

  // An AI's change set, made elsewhere, appears without a reload (the file change feed refreshes History).
  await trpcMutation(page, "files.writeMany", {
    projectId,
    writes: [{ path: "notes.txt", content: "second version by the AI\n" }],
    deletes: [],
    aiPersonality: "c24",
  });
  const aiRow = table.locator("tr", { has: page.getByTestId("author-ai") }).first();
  await expect(aiRow.getByTestId("author-ai")).toHaveText("c24");

  // Its diff, in Monaco's diff editor: the old line on the left, the new on the right.
  await aiRow.click();
  const diff = page.getByTestId("checkpoint-diff").locator(".monaco-diff-editor");
  await expect(diff).toBeVisible({ timeout: 30_000 });
  // Monaco renders spaces as no-break spaces: match any character between the words.
  await expect(diff.locator(".editor.original .view-lines")).toContainText(/first.version/);
  await expect(diff.locator(".editor.modified .view-lines")).toContainText(/second.version.by.the.AI/);
  await keepScreenshot(page, "ide-history-diff");

  // Restore the person's checkpoint, after confirming.
  const rows = table.locator("tbody tr");
  const first = rows.last();
  page.once("dialog", (dialog) => void dialog.accept());
  await first.getByRole("button", { name: /Restore checkpoint/ }).click();
  await expect(table.locator("tbody tr").first()).toContainText("restore to #");
  const file = (await trpcQuery(page, "files.read", { projectId, path: "notes.txt" })) as { content: string };
  expect(file.content).toBe("first version\n");
});

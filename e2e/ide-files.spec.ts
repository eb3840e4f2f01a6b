import { expect, test } from "@playwright/test";
import { keepScreenshot, newProjectInIde, trpcMutation, trpcQuery } from "./support";

test("file tree: folders, drag and drop moves, uploads (button and desktop drop), the server's size limit", async ({ page }) => {
  test.setTimeout(120_000);
  const projectId = await newProjectInIde(page, "e2e tree");
  await expect(page.getByText("No files yet.")).toBeVisible();

  // A new folder exists on the server (as folder/.gitkeep) and survives a reload.
  page.once("dialog", (dialog) => void dialog.accept("lib"));
  await page.getByRole("button", { name: "New folder" }).click();
  await expect(page.getByTestId("folder-lib")).toBeVisible();
  page.once("dialog", (dialog) => void dialog.accept("notes.md"));
  await page.getByRole("button", { name: "New file", exact: true }).click();
  await expect(page.getByTestId("file-notes.md")).toBeVisible();

  // Drag a file onto a folder: it moves there, and its open tab follows.
  await page.getByTestId("file-notes.md").dragTo(page.getByTestId("folder-lib"));
  await expect(page.getByTestId("file-lib/notes.md")).toBeVisible();
  await expect(page.getByTestId("file-notes.md")).toHaveCount(0);
  await expect(page.getByTestId("tab-lib/notes.md")).toBeVisible();

  // Drag a folder into another folder.
  page.once("dialog", (dialog) => void dialog.accept("src"));
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByTestId("folder-lib").dragTo(page.getByTestId("folder-src"));
  await expect(page.getByTestId("file-src/lib/notes.md")).toBeVisible();

  // Upload with the button: text stays text, binary becomes base64.
  await page.getByTestId("upload-input").setInputFiles([
    { name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("hello upload\n") },
    { name: "pixel.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0, 1, 2, 255]) },
  ]);
  await expect(page.getByTestId("file-hello.txt")).toBeVisible();
  await expect(page.getByTestId("file-pixel.bin")).toBeVisible();
  await page.getByTestId("file-hello.txt").click();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("hello upload");

  // An upload over an existing file asks first (issue 19 point 4: no write without the version it
  // replaces): refused, the file is kept; confirmed, it is replaced.
  const stored = async () => ((await trpcQuery(page, "files.read", { projectId, path: "hello.txt" })) as { content: string }).content;
  const again = (text: string) => page.getByTestId("upload-input").setInputFiles([{ name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from(text) }]);
  const asked: string[] = [];
  page.once("dialog", (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
  await again("second upload\n");
  await expect(page.locator("[data-sonner-toast]").filter({ hasText: "Kept hello.txt" })).toBeVisible();
  expect(asked).toEqual(["hello.txt already exists. Replace it with the uploaded hello.txt?"]);
  expect(await stored()).toBe("hello upload\n");
  page.once("dialog", (dialog) => void dialog.accept());
  await again("third upload\n");
  await expect.poll(stored).toBe("third upload\n");
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("third upload");

  // Files dropped from the desktop onto a folder land in it.
  const dropped = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(["dropped from the desktop"], "dropped.txt", { type: "text/plain" }));
    return transfer;
  });
  await page.getByTestId("folder-src").dispatchEvent("dragover", { dataTransfer: dropped });
  await page.getByTestId("folder-src").dispatchEvent("drop", { dataTransfer: dropped });
  await expect(page.getByTestId("file-src/dropped.txt")).toBeVisible();

  // An oversized upload: the server's own message, in the explorer and in a toast.
  await page.getByTestId("upload-input").setInputFiles([{ name: "big.txt", mimeType: "text/plain", buffer: Buffer.alloc(1_048_577, "x") }]);
  await expect(page.getByTestId("explorer-error")).toContainText("SANDBOX_MAX_FILE_SIZE");
  await expect(page.locator("[data-sonner-toast]").filter({ hasText: "SANDBOX_MAX_FILE_SIZE" })).toBeVisible();
  await expect(page.getByTestId("file-big.txt")).toHaveCount(0);
  await keepScreenshot(page, "ide-file-tree");

  // Everything persisted.
  await page.reload();
  for (const path of ["src/lib/.gitkeep", "src/lib/notes.md", "src/.gitkeep", "hello.txt", "pixel.bin", "src/dropped.txt"])
    await expect(page.getByTestId(`file-${path}`)).toBeVisible();
});

test("changes made elsewhere appear without a reload: an execution's files, and an API write to an open tab", async ({ page }) => {
  test.setTimeout(150_000);
  const projectId = await newProjectInIde(page, "e2e live tree");
  await trpcMutation(page, "files.write", { projectId, path: "data.txt", content: "first version\n" });
  await expect(page.getByTestId("file-data.txt")).toBeVisible();
  await page.getByTestId("file-data.txt").click();
  const lines = page.locator(".monaco-editor .view-lines");
  await expect(lines).toContainText("first version");

  // Another client (here: the API, as the chat service would) rewrites the open, unmodified file.
  await trpcMutation(page, "files.write", { projectId, path: "data.txt", content: "second version\n", aiPersonality: "geppo" });
  await expect(lines).toContainText("second version");
  await expect(page.getByTestId("unsaved-marker")).toHaveCount(0);

  // A program writes files in the container; they come back into the tree when it ends.
  await page.getByLabel("Command").fill(`mkdir -p out && echo made > out/by-run.txt && rm data.txt`);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("run-status")).toContainText("success", { timeout: 90_000 });
  await expect(page.getByTestId("file-out/by-run.txt")).toBeVisible();
  await expect(page.getByTestId("file-data.txt")).toHaveCount(0);
  await expect(page.getByTestId("tab-data.txt")).toHaveCount(0);
});

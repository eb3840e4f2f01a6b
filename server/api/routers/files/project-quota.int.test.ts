import { afterAll, describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";

// A small project quota for this file only (read lazily by getEnv), restored for the files after it.
process.env.SANDBOX_MAX_PROJECT_SIZE = "1000";
afterAll(() => {
  delete process.env.SANDBOX_MAX_PROJECT_SIZE;
});

describe("project size quota", () => {
  it("refuses a write that would take the project past SANDBOX_MAX_PROJECT_SIZE; replacing a file counts its new size only", async () => {
    const caller = await sessionCaller((await makeUser()).id);
    const { id: projectId } = await caller.projects.create({ name: "quota" });
    await caller.files.write({ projectId, path: "a.txt", content: "x".repeat(600) });
    await caller.files.write({ projectId, path: "a.txt", content: "y".repeat(900) });
    await expect(caller.files.write({ projectId, path: "b.txt", content: "z".repeat(200) })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringContaining("SANDBOX_MAX_PROJECT_SIZE"),
    });
    await expect(caller.files.read({ projectId, path: "b.txt" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Deleting in the same change set makes room.
    await expect(caller.files.writeMany({ projectId, writes: [{ path: "b.txt", content: "z".repeat(200) }], deletes: ["a.txt"] })).resolves.toMatchObject({
      written: ["b.txt"],
    });
  });
});

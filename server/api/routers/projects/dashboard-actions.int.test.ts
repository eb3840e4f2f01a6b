import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import { createUser } from "@/server/services/users/user-service";

// What the dashboard's Rename / Duplicate / Delete buttons and the header rely on (issue 19 point 6).
describe("dashboard project actions", () => {
  it("rename refuses a blank or overlong name and keeps the old one", async () => {
    const me = await sessionCaller((await makeUser()).id);
    const project = await me.projects.create({ name: "before" });
    await expect(me.projects.update({ projectId: project.id, name: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(me.projects.update({ projectId: project.id, name: "x".repeat(256) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await me.projects.get({ projectId: project.id })).name).toBe("before");
    expect((await me.projects.update({ projectId: project.id, name: "after" })).name).toBe("after");
  });

  it("duplicate copies binary files byte for byte and the entry point; the copy is independent of the original", async () => {
    const me = await sessionCaller((await makeUser()).id);
    const project = await me.projects.create({ name: "with image", template: "python-script" });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]).toString("base64");
    await me.files.write({ projectId: project.id, path: "img/logo.png", content: bytes, encoding: "base64" });

    const copy = await me.projects.duplicate({ projectId: project.id });
    expect(copy.name).toBe("with image (copy)");
    const image = await me.files.read({ projectId: copy.id, path: "img/logo.png" });
    expect(image).toMatchObject({ encoding: "base64", content: bytes, sizeBytes: 8 });
    expect((await me.files.tree({ projectId: copy.id })).find((f) => f.isEntryPoint)?.filePath).toBe("main.py");

    // Deleting the original leaves the copy whole; the original's files are gone with it.
    await me.projects.delete({ projectId: project.id });
    await expect(me.files.read({ projectId: project.id, path: "img/logo.png" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await me.files.read({ projectId: copy.id, path: "img/logo.png" })).content).toBe(bytes);
    await expect(me.projects.delete({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("another user can neither rename nor delete my project, and learns nothing of it", async () => {
    const mine = await sessionCaller((await makeUser()).id);
    const theirs = await sessionCaller((await makeUser()).id);
    const project = await mine.projects.create({ name: "private" });
    await expect(theirs.projects.update({ projectId: project.id, name: "taken" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(theirs.projects.duplicate({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(theirs.projects.delete({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await mine.projects.get({ projectId: project.id })).name).toBe("private");
  });

  it("a session carries the person's name for the header (null when they gave none)", async () => {
    const named = await createUser({ email: `n-${randomUUID()}@test.local`, password: "correct horse battery staple", name: "Ada Lovelace" });
    expect((await sessionAuthUser(named.id)).name).toBe("Ada Lovelace");
    expect((await sessionAuthUser((await makeUser()).id)).name).toBeNull();
  });
});

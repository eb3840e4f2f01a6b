import { describe, expect, it } from "vitest";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";

describe("projects", () => {
  it("create from a template writes its files attributed to the key's default AI; empty creates none", async () => {
    const user = await makeUser();
    const { caller } = await keyCaller(user, ["projects:read", "projects:write"], "c24");
    const project = await caller.projects.create({ name: "Todo", template: "react-typescript" });
    expect(project).toMatchObject({ name: "Todo", templateType: "react-app", createdByAi: "c24", userId: user.id, isPublic: false });
    const files = await caller.files.tree({ projectId: project.id });
    expect(files.length).toBeGreaterThan(2);
    expect(files.every((f) => f.createdByAi === "c24")).toBe(true);
    expect(files.filter((f) => f.isEntryPoint)).toHaveLength(1);

    const named = await caller.projects.create({ name: "Empty", aiPersonality: "mistral" });
    expect(named.createdByAi).toBe("mistral");
    expect(await caller.files.tree({ projectId: named.id })).toEqual([]);
    expect(await caller.projects.get({ projectId: project.id })).toMatchObject({ fileCount: files.length });
  });

  it("refuses an unknown template or personality, naming the valid ones", async () => {
    const caller = await sessionCaller((await makeUser()).id);
    await expect(caller.projects.create({ name: "x", template: "cobol-app" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("react-app"),
    });
    await expect(caller.projects.create({ name: "x", aiPersonality: "hal9000" as never })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("geppo"),
    });
  });

  it("lists own projects, adds public ones when asked, searches and sorts", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    const a = await sessionCaller(alice.id);
    const b = await sessionCaller(bob.id);
    const tag = `zeta-${alice.id}`;
    await a.projects.create({ name: `${tag} beta` });
    await a.projects.create({ name: `${tag} alpha` });
    const shared = await b.projects.create({ name: `${tag} shared`, isPublic: true });
    await b.projects.create({ name: `${tag} private` });

    const own = await a.projects.list({ search: tag, sort: "name", order: "asc" });
    expect(own.items.map((p) => p.name)).toEqual([`${tag} alpha`, `${tag} beta`]);
    const withPublic = await a.projects.list({ scope: "own-and-public", search: tag, sort: "name", order: "asc" });
    expect(withPublic.items.map((p) => p.name)).toEqual([`${tag} alpha`, `${tag} beta`, `${tag} shared`]);
    expect(withPublic.total).toBe(3);
    // "all" is for admins; others get their own and public.
    expect((await a.projects.list({ scope: "all", search: tag })).total).toBe(3);
    const admin = await sessionCaller((await makeUser("admin")).id);
    expect((await admin.projects.list({ scope: "all", search: tag })).total).toBe(4);
    expect(JSON.stringify(own)).not.toContain("containerId");
    expect(shared.isPublic).toBe(true);
  });

  it("update, duplicate (also of someone's public project) and delete", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    const a = await sessionCaller(alice.id);
    const b = await sessionCaller(bob.id);
    const project = await a.projects.create({ name: "orig", template: "python-script" });
    const updated = await a.projects.update({ projectId: project.id, name: "renamed", description: "d", isPublic: true });
    expect(updated).toMatchObject({ name: "renamed", description: "d", isPublic: true });

    const copy = await b.projects.duplicate({ projectId: project.id, aiPersonality: "llama" });
    expect(copy).toMatchObject({ userId: bob.id, name: "renamed (copy)", isPublic: false, createdByAi: "llama", templateType: "python-script" });
    expect((await b.files.tree({ projectId: copy.id })).map((f) => f.filePath)).toEqual((await a.files.tree({ projectId: project.id })).map((f) => f.filePath));
    await expect(b.projects.update({ projectId: project.id, name: "mine" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    await a.projects.delete({ projectId: project.id });
    await expect(a.projects.get({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.projects.get({ projectId: copy.id })).resolves.toMatchObject({ id: copy.id });
  });

  it("admins see and change every project; an admin's API key needs the scopes like anyone's", async () => {
    const owner = await sessionCaller((await makeUser()).id);
    const project = await owner.projects.create({ name: "private" });
    const adminUser = await makeUser("admin");
    const admin = await sessionCaller(adminUser.id);
    await expect(admin.projects.get({ projectId: project.id })).resolves.toMatchObject({ id: project.id });
    await expect(admin.files.write({ projectId: project.id, path: "note.md", content: "checked" })).resolves.toMatchObject({ filePath: "note.md" });
    const { caller: readOnly } = await keyCaller(adminUser, ["projects:read"]);
    await expect(readOnly.projects.update({ projectId: project.id, name: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

// The project's network policy: default none, owner may choose none/registry, only an admin
// (session, or key with the admin scope) may choose open. The egress proxy reads it per connection.
import { describe, expect, it } from "vitest";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { projectNetworkPolicy } from "@/server/services/projects/network-policy";

describe("projects.update networkPolicy", () => {
  it("defaults to none; the owner switches between none and registry; the proxy's lookup follows", async () => {
    const owner = await makeUser();
    const caller = await sessionCaller(owner.id);
    const project = await caller.projects.create({ name: "net" });
    expect(project.networkPolicy).toBe("none");
    expect(await projectNetworkPolicy(String(project.id))).toBe("none");
    expect(await caller.projects.update({ projectId: project.id, networkPolicy: "registry" })).toMatchObject({ networkPolicy: "registry" });
    expect(await projectNetworkPolicy(String(project.id))).toBe("registry");
    expect((await caller.projects.get({ projectId: project.id })).networkPolicy).toBe("registry");
    // Other changes keep it.
    expect(await caller.projects.update({ projectId: project.id, name: "renamed" })).toMatchObject({ name: "renamed", networkPolicy: "registry" });
    expect(await caller.projects.update({ projectId: project.id, networkPolicy: "none" })).toMatchObject({ networkPolicy: "none" });
  });

  it("attack: a non-admin cannot set open, by session or by API key (even with every non-admin scope)", async () => {
    const owner = await makeUser();
    const session = await sessionCaller(owner.id);
    const project = await session.projects.create({ name: "net" });
    await session.projects.update({ projectId: project.id, networkPolicy: "registry" });
    await expect(session.projects.update({ projectId: project.id, networkPolicy: "open" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Only an administrator can set the network policy to open",
    });
    const { caller: key } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    await expect(key.projects.update({ projectId: project.id, networkPolicy: "open", name: "sneaky" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Nothing changed: not the policy, not the other fields sent alongside.
    expect(await session.projects.get({ projectId: project.id })).toMatchObject({ networkPolicy: "registry", name: "net" });
    expect(await projectNetworkPolicy(String(project.id))).toBe("registry");
  });

  it("attack: another user cannot change the policy (NOT_FOUND), nor with an invalid value (BAD_REQUEST)", async () => {
    const owner = await makeUser();
    const stranger = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "net", isPublic: true });
    const other = await sessionCaller(stranger.id);
    await expect(other.projects.update({ projectId: project.id, networkPolicy: "registry" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.projects.update({ projectId: project.id, networkPolicy: "everything" as never })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await projectNetworkPolicy(String(project.id))).toBe("none");
  });

  it("an admin sets open, by session or by a key with the admin scope; an admin's key without it cannot", async () => {
    const owner = await makeUser();
    const admin = await makeUser("admin");
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "net" });
    const adminSession = await sessionCaller(admin.id);
    expect(await adminSession.projects.update({ projectId: project.id, networkPolicy: "open" })).toMatchObject({ networkPolicy: "open" });
    await adminSession.projects.update({ projectId: project.id, networkPolicy: "none" });
    const { caller: narrowKey } = await keyCaller(admin, ["projects:read", "projects:write"]);
    await expect(narrowKey.projects.update({ projectId: project.id, networkPolicy: "open" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { caller: adminKey } = await keyCaller(admin, ["projects:read", "projects:write", "admin"]);
    expect(await adminKey.projects.update({ projectId: project.id, networkPolicy: "open" })).toMatchObject({ networkPolicy: "open" });
    // The owner may still lower it.
    expect(await (await sessionCaller(owner.id)).projects.update({ projectId: project.id, networkPolicy: "registry" })).toMatchObject({
      networkPolicy: "registry",
    });
  });

  it("a copy starts at none; unknown or deleted projects read as none", async () => {
    const owner = await makeUser();
    const admin = await makeUser("admin");
    const caller = await sessionCaller(owner.id);
    const project = await caller.projects.create({ name: "net" });
    await (await sessionCaller(admin.id)).projects.update({ projectId: project.id, networkPolicy: "open" });
    const copy = await caller.projects.duplicate({ projectId: project.id });
    expect(copy.networkPolicy).toBe("none");
    await caller.projects.delete({ projectId: project.id });
    expect(await projectNetworkPolicy(String(project.id))).toBe("none");
    for (const bad of ["abc", "-1", "0", "1e3", "", "9007199254740993"]) expect(await projectNetworkPolicy(bad)).toBe("none");
  });
});

import { describe, expect, it } from "vitest";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { commandHistoryRepository } from "@/server/repositories/command-history-repository";
import { COMMAND_HISTORY_KEEP } from "@/server/services/terminal/command-history-service";

async function ownedProject() {
  const owner = await makeUser();
  const caller = await sessionCaller(owner.id);
  const project = await caller.projects.create({ name: "history", template: "node-api" });
  return { owner, caller, projectId: project.id };
}

describe("commandHistory", () => {
  it("keeps commands per user and project, oldest first, and survives a new session (another browser)", async () => {
    const { owner, caller, projectId } = await ownedProject();
    const other = await caller.projects.create({ name: "other" });
    await caller.commandHistory.add({ projectId, command: "npm test" });
    await caller.commandHistory.add({ projectId, command: "ls -la" });
    await caller.commandHistory.add({ projectId: other.id, command: "pwd" });

    const again = await sessionCaller(owner.id);
    expect(await again.commandHistory.list({ projectId })).toEqual({ commands: ["npm test", "ls -la"] });
    expect(await again.commandHistory.list({ projectId: other.id })).toEqual({ commands: ["pwd"] });
  });

  it("skips a repeat of the previous command but keeps an earlier one repeated later", async () => {
    const { caller, projectId } = await ownedProject();
    expect(await caller.commandHistory.add({ projectId, command: "a" })).toEqual({ added: true });
    expect(await caller.commandHistory.add({ projectId, command: "a" })).toEqual({ added: false });
    await caller.commandHistory.add({ projectId, command: "b" });
    expect(await caller.commandHistory.add({ projectId, command: "a" })).toEqual({ added: true });
    expect((await caller.commandHistory.list({ projectId })).commands).toEqual(["a", "b", "a"]);
  });

  it("an admin working in the project has a history of their own", async () => {
    const { caller, projectId } = await ownedProject();
    const admin = await makeUser("admin");
    const adminCaller = await sessionCaller(admin.id);
    await caller.commandHistory.add({ projectId, command: "owner's" });
    await adminCaller.commandHistory.add({ projectId, command: "admin's" });
    expect((await adminCaller.commandHistory.list({ projectId })).commands).toEqual(["admin's"]);
    expect((await caller.commandHistory.list({ projectId })).commands).toEqual(["owner's"]);
  });

  it(`keeps only the newest ${COMMAND_HISTORY_KEEP} and honours limit`, async () => {
    const { caller, projectId } = await ownedProject();
    for (let i = 0; i < COMMAND_HISTORY_KEEP + 3; i++) await caller.commandHistory.add({ projectId, command: `echo ${i}` });
    const all = (await caller.commandHistory.list({ projectId, limit: 500 })).commands;
    expect(all).toHaveLength(COMMAND_HISTORY_KEEP);
    expect(all[0]).toBe("echo 3");
    expect(all.at(-1)).toBe(`echo ${COMMAND_HISTORY_KEEP + 2}`);
    expect((await caller.commandHistory.list({ projectId, limit: 2 })).commands).toEqual([
      `echo ${COMMAND_HISTORY_KEEP + 1}`,
      `echo ${COMMAND_HISTORY_KEEP + 2}`,
    ]);
  }, 60_000);

  it("refuses blank, NUL and oversized commands with a message", async () => {
    const { caller, projectId } = await ownedProject();
    await expect(caller.commandHistory.add({ projectId, command: "   " })).rejects.toThrow(/must not be blank/);
    await expect(caller.commandHistory.add({ projectId, command: "ls\0" })).rejects.toThrow(/NUL/);
    await expect(caller.commandHistory.add({ projectId, command: "x".repeat(4097) })).rejects.toThrow(/at most 4096/);
    expect((await caller.commandHistory.list({ projectId })).commands).toEqual([]);
  });

  it("clear forgets only the caller's history in that project; deleting the project deletes it", async () => {
    const { owner, caller, projectId } = await ownedProject();
    await caller.commandHistory.add({ projectId, command: "x" });
    const { caller: byKey } = await keyCaller(owner, ["projects:read", "projects:write", "executions:run"]);
    expect((await byKey.commandHistory.list({ projectId })).commands).toEqual(["x"]);
    expect(await byKey.commandHistory.clear({ projectId })).toEqual({ deleted: 1 });
    await caller.commandHistory.add({ projectId, command: "y" });
    await caller.projects.delete({ projectId });
    await expect(caller.commandHistory.list({ projectId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await commandHistoryRepository.list(owner.id, projectId, 10)).toEqual([]);
  });
});

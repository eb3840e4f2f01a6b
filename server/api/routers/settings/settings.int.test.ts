import { describe, expect, it } from "vitest";
import { keyCaller, sessionCaller } from "@/test/support/callers";
import { callerWithHeaders, makeUser } from "@/test/fixtures/accounts";

describe("settings", () => {
  it("a person's editor keymap defaults to 'default', persists, and is theirs alone", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    const asAlice = await sessionCaller(alice.id);
    expect(await asAlice.settings.get()).toEqual({ editorKeymap: "default" });
    expect(await asAlice.settings.update({ editorKeymap: "vim" })).toEqual({ editorKeymap: "vim" });
    expect(await (await sessionCaller(alice.id)).settings.get()).toEqual({ editorKeymap: "vim" });
    expect(await (await sessionCaller(bob.id)).settings.get()).toEqual({ editorKeymap: "default" });
    expect(await asAlice.settings.update({})).toEqual({ editorKeymap: "vim" });
  });

  it("refuses unknown keymaps, anonymous callers, and API keys", async () => {
    const user = await makeUser();
    const asUser = await sessionCaller(user.id);
    await expect(asUser.settings.update({ editorKeymap: "nano" as "vim" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const anonymous = await callerWithHeaders();
    await expect(anonymous.settings.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.settings.update({ editorKeymap: "vim" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const { caller: byKey } = await keyCaller(user, ["projects:read", "projects:write", "executions:run"]);
    await expect(byKey.settings.get()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(byKey.settings.update({ editorKeymap: "emacs" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await asUser.settings.get()).toEqual({ editorKeymap: "default" });
  });
});

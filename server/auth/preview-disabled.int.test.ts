import { afterAll, describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser, sessionAuthUser } from "@/test/fixtures/accounts";
import type { ServedPreview } from "@/server/preview/preview-proxy";
import { liveProcesses, type LiveProcess } from "@/server/services/processes/live-processes";
import { authorizePreview, previewHandoffToken, redeemPreviewHandoff } from "@/server/services/processes/preview-access";
import { endSessions, setUserDisabled } from "@/server/services/users/user-service";

// Previews authenticate with their own tokens (a hand-off minted from the app session, then a
// per-preview cookie), not the app cookie; they still resolve the account through user-service,
// so disabling it closes its previews; and their tokens carry the session version, so whatever
// ends the account's sessions (sign-out, a password change, a disable) ends its previews too. No container needed: the preview's process is registered
// as live by hand, which is all authorization looks at.
const PROCESS_ID = 2_000_000_123;
afterAll(() => liveProcesses().delete(PROCESS_ID));

describe("previews of a disabled account", () => {
  it("a hand-off is not redeemed and a preview cookie opens nothing once the owner is disabled", async () => {
    const owner = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "previewed" });
    liveProcesses().set(PROCESS_ID, { id: PROCESS_ID, projectId: project.id, userId: owner.id } as unknown as LiveProcess);
    const preview = { target: { processId: PROCESS_ID, projectId: project.id, port: 5173, image: "node" }, slot: 4100 } as ServedPreview;

    const user = await sessionAuthUser(owner.id);
    const cookie = await redeemPreviewHandoff((await previewHandoffToken(user, PROCESS_ID, 4100)).token, preview);
    expect(cookie).not.toBeNull();
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toMatchObject({ via: "preview_cookie" });

    await setUserDisabled(owner.id, true);
    await expect(previewHandoffToken(user, PROCESS_ID, 4100)).rejects.toThrow("Sign in again");
    // The grant cache keeps a grant at most 5 s.
    await new Promise((r) => setTimeout(r, 5_200));
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toBeNull();

    // Enabled again, the account signs in afresh: the old preview cookie was a session and stays ended.
    await setUserDisabled(owner.id, false);
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toBeNull();
    const fresh = await redeemPreviewHandoff((await previewHandoffToken(user, PROCESS_ID, 4100)).token, preview);
    expect(await authorizePreview({ authorization: null, cookies: [fresh!.value] }, preview)).toMatchObject({ via: "preview_cookie" });
  }, 30_000);

  it("a sign-out everywhere (the session version moves on) ends the preview cookie and unredeemed hand-offs", async () => {
    const owner = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "previewed after sign-out" });
    liveProcesses().set(PROCESS_ID, { id: PROCESS_ID, projectId: project.id, userId: owner.id } as unknown as LiveProcess);
    const preview = { target: { processId: PROCESS_ID, projectId: project.id, port: 5173, image: "node" }, slot: 4101 } as ServedPreview;
    const user = await sessionAuthUser(owner.id);
    const cookie = await redeemPreviewHandoff((await previewHandoffToken(user, PROCESS_ID, 4101)).token, preview);
    const pending = (await previewHandoffToken(user, PROCESS_ID, 4101)).token;
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toMatchObject({ via: "preview_cookie" });

    await endSessions(owner.id);
    await new Promise((r) => setTimeout(r, 5_200)); // past the grant cache
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toBeNull();
    expect(await redeemPreviewHandoff(pending, preview)).toBeNull();
  }, 30_000);
});

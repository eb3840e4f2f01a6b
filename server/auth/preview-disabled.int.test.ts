import { afterAll, describe, expect, it } from "vitest";
import { sessionCaller } from "@/lib/testing/callers";
import { makeUser, sessionAuthUser } from "@/lib/testing/fixtures";
import type { ServedPreview } from "@/server/preview/preview-proxy";
import { liveProcesses, type LiveProcess } from "@/server/services/processes/live-processes";
import { authorizePreview, previewHandoffToken, redeemPreviewHandoff } from "@/server/services/processes/preview-access";
import { setUserDisabled } from "@/server/services/user-service";

// Previews authenticate with their own tokens (a hand-off minted from the app session, then a
// per-preview cookie), not the app cookie; they still resolve the account through user-service,
// so disabling it closes its previews. No container needed: the preview's process is registered
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
    const cookie = await redeemPreviewHandoff(previewHandoffToken(user, PROCESS_ID, 4100).token, preview);
    expect(cookie).not.toBeNull();
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toMatchObject({ via: "preview_cookie" });

    await setUserDisabled(owner.id, true);
    const laterHandoff = previewHandoffToken(user, PROCESS_ID, 4100).token;
    expect(await redeemPreviewHandoff(laterHandoff, preview)).toBeNull();
    // The grant cache keeps a grant at most 5 s.
    await new Promise((r) => setTimeout(r, 5_200));
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toBeNull();

    await setUserDisabled(owner.id, false);
    expect(await authorizePreview({ authorization: null, cookies: [cookie!.value] }, preview)).toMatchObject({ via: "preview_cookie" });
  }, 30_000);
});

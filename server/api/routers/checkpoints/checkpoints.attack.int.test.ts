import { describe, expect, it } from "vitest";
import { attackRouter, makeTarget, type Target } from "@/test/support/attack-matrix";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { checkpointRepository } from "@/server/repositories/checkpoint-repository";

/** The target's newest checkpoint (its owner's save of a.txt), or a missing id for a missing project. */
async function checkpointOf(t: Target): Promise<number> {
  return (await checkpointRepository.list(t.projectId, 1))[0]?.id ?? 2_000_000_000;
}

attackRouter("checkpoints", {
  list: { scopes: ["projects:read"], access: "read", call: (c, t) => c.checkpoints.list({ projectId: t.projectId }) },
  get: { scopes: ["projects:read"], access: "read", call: async (c, t) => c.checkpoints.get({ projectId: t.projectId, checkpointId: await checkpointOf(t) }) },
  restore: {
    scopes: ["projects:write"],
    access: "write",
    call: async (c, t) => c.checkpoints.restore({ projectId: t.projectId, checkpointId: await checkpointOf(t) }),
  },
});

describe("checkpoints across projects", () => {
  it("another project's checkpoint id, asked through one's own project, is NOT_FOUND and restores nothing", async () => {
    const victim = await makeTarget();
    const victimCheckpoint = await checkpointOf(victim);
    const attacker = await makeUser();
    const caller = await sessionCaller(attacker.id);
    const own = await caller.projects.create({ name: "mine" });
    await expect(caller.checkpoints.get({ projectId: own.id, checkpointId: victimCheckpoint })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.checkpoints.restore({ projectId: own.id, checkpointId: victimCheckpoint })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await caller.files.tree({ projectId: own.id })).toEqual([]);
  });
});

import pino from "pino";
import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { AppError } from "@/server/errors/app-error";
import { projectRepository } from "@/server/repositories/project-repository";
import { claimSandboxSlot } from "@/server/services/executions/sandbox-quota";
import { forgetVanishedContainers, leaseRecorder } from "./sandbox-leases";

const log = pino({ level: "silent" });
const settle = () => new Promise((r) => setTimeout(r, 100));

async function projects(n: number) {
  const u = await makeUser();
  const ids: number[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await projectRepository.create({ name: `l${i}`, description: null, userId: u.id, createdByAi: null, templateType: null })).id);
  return { userId: u.id, ids };
}

describe("lease records (the running-sandboxes quota's source)", () => {
  it("a bind names the container, its end forgets it; a late end of an older container leaves a newer one", async () => {
    const { ids } = await projects(1);
    const id = ids[0]!;
    const events = leaseRecorder(log);
    events.bound(String(id), "c-old");
    events.ended(String(id), "c-old", "idle");
    events.bound(String(id), "c-new");
    events.ended(String(id), "c-old", "container died");
    // Engine-only project names (tests of the engine) are ignored, never a crash.
    events.bound("not-a-project", "x");
    await settle();
    expect((await projectRepository.findById(id))?.containerId).toBe("c-new");
    events.ended(String(id), "c-new", "released by caller");
    await settle();
    expect((await projectRepository.findById(id))?.containerId).toBeNull();
  });

  it("settled() waits for every queued write (the engine's stop awaits it before the database stops)", async () => {
    const { ids } = await projects(3);
    const events = leaseRecorder(log);
    for (const id of ids) events.bound(String(id), `c-${id}`);
    for (const id of ids) events.ended(String(id), `c-${id}`, "engine stopping");
    await events.settled();
    for (const id of ids) expect((await projectRepository.findById(id))?.containerId).toBeNull();
    await events.settled(); // nothing queued: returns at once
  });

  it("charges the user who claimed the slot, counts only live containers, and refuses the sixth with 429", async () => {
    const { userId, ids } = await projects(6);
    const events = leaseRecorder(log);
    for (const id of ids.slice(0, 5)) {
      await claimSandboxSlot(userId, (await projectRepository.findById(id))!);
      events.bound(String(id), `c-${id}`);
    }
    await settle();
    const refused = await claimSandboxSlot(userId, (await projectRepository.findById(ids[5]!))!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("TOO_MANY_REQUESTS");
    // A project holding its container is not "another".
    await expect(claimSandboxSlot(userId, (await projectRepository.findById(ids[0]!))!)).resolves.toBeUndefined();

    // After a crash: containers Docker no longer has are forgotten, and the slot is free again.
    await forgetVanishedContainers(
      ids.slice(1, 5).map((id) => `c-${id}`),
      log,
    );
    expect((await projectRepository.findById(ids[0]!))?.containerId).toBeNull();
    await expect(claimSandboxSlot(userId, (await projectRepository.findById(ids[5]!))!)).resolves.toBeUndefined();
    expect(await projectRepository.countHeldBy(userId, -1)).toBe(4);
  });
});

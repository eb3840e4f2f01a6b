import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { processRepository } from "./process-repository";
import { recordSweepRepository } from "./record-sweep-repository";

describe("processRepository", () => {
  it("ends a row left running as failed, with the reason in its output, and leaves ended rows alone", async () => {
    const owner = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "stale" });
    const stale = await processRepository.start({
      projectId: project.id,
      userId: owner.id,
      command: "npm run dev",
      image: "node",
      port: 5173,
      startedByAi: "geppo",
    });
    await processRepository.setPreviewPort(stale.id, 4100);
    const ended = await processRepository.start({ projectId: project.id, userId: owner.id, command: "true", image: "node", port: null, startedByAi: null });
    await processRepository.finish(ended.id, { status: "failed", exitCode: 2, output: "kept" });

    expect(await recordSweepRepository.interruptProcess(stale.id, "the server stopped", new Date())).toBe(true);
    expect(await recordSweepRepository.interruptProcess(ended.id, "the server stopped", new Date())).toBe(false);
    expect(await processRepository.findWithOutput(stale.id)).toMatchObject({
      status: "failed",
      previewPort: null,
      endedAt: expect.any(Date),
      output: "pantheon: interrupted: the server stopped\n",
    });
    expect(await processRepository.findWithOutput(ended.id)).toMatchObject({ status: "failed", exitCode: 2, output: "kept" });
    // finish() after the fact changes nothing: the first end recorded wins.
    await processRepository.finish(stale.id, { status: "failed", exitCode: 1, output: "late" });
    expect(await processRepository.findById(stale.id)).toMatchObject({ status: "failed", exitCode: null });
  });

  it("lets one running process at a time hold a preview slot, across instances; an ended one frees it", async () => {
    const owner = await makeUser();
    const project = await (await sessionCaller(owner.id)).projects.create({ name: "slots" });
    const start = (instanceId: string) =>
      processRepository.start({ projectId: project.id, userId: owner.id, command: "npm run dev", image: "node", port: 5173, startedByAi: null, instanceId });
    const onA = await start("instance-a");
    const onB = await start("instance-b");
    expect(await processRepository.claimPreviewSlot(onA.id, 49_123)).toMatchObject({ id: onA.id, previewPort: 49_123 });
    // B numbered its slots itself and picked the same one: refused, so the URL names one process.
    expect(await processRepository.claimPreviewSlot(onB.id, 49_123)).toBeNull();
    expect(await processRepository.claimPreviewSlot(onB.id, 49_124)).toMatchObject({ id: onB.id, previewPort: 49_124 });
    await processRepository.finish(onA.id, { status: "exited", exitCode: 0, output: "" });
    expect(await processRepository.claimPreviewSlot(onB.id, 49_123)).toMatchObject({ previewPort: 49_123 });
  });
});

import { describe, expect, it } from "vitest";
import { sessionCaller } from "@/lib/testing/callers";
import { makeUser } from "@/lib/testing/fixtures";
import { processRepository } from "./process-repository";

describe("processRepository", () => {
  it("marks rows left running by a previous server as exited, with a note, and leaves ended rows alone", async () => {
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

    expect(await processRepository.markAbandoned()).toBeGreaterThanOrEqual(1);
    expect(await processRepository.findWithOutput(stale.id)).toMatchObject({
      status: "exited",
      previewPort: null,
      endedAt: expect.any(Date),
      output: expect.stringContaining("server restarted"),
    });
    expect(await processRepository.findWithOutput(ended.id)).toMatchObject({ status: "failed", exitCode: 2, output: "kept" });
    // finish() after the fact changes nothing: the first end recorded wins.
    await processRepository.finish(stale.id, { status: "failed", exitCode: 1, output: "late" });
    expect(await processRepository.findById(stale.id)).toMatchObject({ status: "exited" });
  });
});

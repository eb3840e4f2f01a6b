import { afterEach, describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "./client";
import { executionRepository } from "@/server/repositories/execution-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { executionOutcome } from "@/test/fixtures/execution-outcomes";

// The statements sent without Prisma's client (direct-query.ts) read and write the same rows as
// Prisma does: dates as UTC whatever the process's time zone, JSON, arrays, and the record shape.

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe("statements without Prisma's client", () => {
  it("write and read an execution as Prisma does, in a process far from UTC", async () => {
    process.env.TZ = "Pacific/Kiritimati"; // UTC+14: a local-time parse or write would be 14 h off
    const user = await makeUser();
    const project = await projectRepository.create({ name: "direct", description: null, userId: user.id, createdByAi: null, templateType: null });
    const before = Date.now();
    const touched = await projectRepository.touchOwned(project.id, user.id);
    expect(touched?.id).toBe(project.id);
    expect(Math.abs(touched!.lastAccessedAt!.getTime() - before)).toBeLessThan(60_000);
    expect(await projectRepository.touchOwned(project.id, user.id + 1000)).toBeNull();

    const deadline = new Date(before + 3_600_000);
    const row = await executionRepository.start({
      projectId: project.id,
      userId: user.id,
      executedCode: "echo 1",
      language: null,
      executionType: "run",
      executedByAi: "Geppo",
      deadlineAt: deadline,
    });
    const finished = await executionRepository.finish(
      row.id,
      executionOutcome({
        output: "1\n",
        outputTruncated: true,
        outputTruncation: { stdout: { keptHeadBytes: 1, keptTailBytes: 1, droppedBytes: 5, droppedLines: 0, inserted: [] } },
        executionTimeMs: 12,
        memoryUsedMb: 1.5,
        cpuUsagePercent: 12.5,
        skippedFiles: [{ path: "a\nb", reason: "too-large", detail: null }],
        listeningPorts: [8080, 5173],
      }),
    );
    const viaPrisma = await getPrisma().sandboxExecution.findUniqueOrThrow({ where: { id: row.id } });
    expect(viaPrisma.deadlineAt?.getTime()).toBe(deadline.getTime());
    expect(viaPrisma.executedAt.getTime()).toBe(row.executedAt.getTime());
    expect(viaPrisma.finishedAt?.getTime()).toBe(finished.finishedAt?.getTime());
    expect(Math.abs(finished.finishedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await executionRepository.findById(row.id)).toEqual(finished);
    expect(finished).toMatchObject({
      output: "1\n",
      outputBase64: null,
      outputTruncated: true,
      outputTruncation: { stdout: { droppedBytes: 5 } },
      memoryUsedMb: 1.5,
      skippedFiles: [{ path: "a\nb", reason: "too-large", detail: null }],
      listeningPorts: [8080, 5173],
      executedByAi: "Geppo",
    });
    // A result without skipped files, truncation or ports leaves those columns as they were.
    const again = await executionRepository.finish(row.id, executionOutcome());
    expect(again.skippedFiles).toEqual([{ path: "a\nb", reason: "too-large", detail: null }]);
    expect(again.listeningPorts).toEqual([8080, 5173]);
  });

  it("says plainly when the execution to finish is gone", async () => {
    await expect(executionRepository.finish(2_000_000_000, executionOutcome())).rejects.toThrow(/execution 2000000000 was not found/);
  });
});

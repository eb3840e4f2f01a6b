import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { executionStatsRepository } from "./execution-stats-repository";

describe("executionStatsRepository.perMinute", () => {
  it("buckets executions per project, user and minute with timeouts and OOMs", async () => {
    const user = await makeUser();
    const project = await getPrisma().sandboxProject.create({ data: { name: "stats", userId: user.id }, select: { id: true } });
    const at = new Date(Date.UTC(2030, 0, 1, 10, 5, 10));
    const later = new Date(Date.UTC(2030, 0, 1, 10, 6, 1));
    const base = { projectId: project.id, userId: user.id };
    await getPrisma().sandboxExecution.createMany({
      data: [
        { ...base, status: "success", executedAt: at },
        { ...base, status: "timeout", executedAt: new Date(at.getTime() + 20_000) },
        { ...base, status: "error", statusReason: "oom", executedAt: later },
      ],
    });
    const rows = (await executionStatsRepository.perMinute(new Date(Date.UTC(2030, 0, 1)))).filter((r) => r.projectId === project.id);
    rows.sort((a, b) => a.minute.getTime() - b.minute.getTime());
    expect(rows).toEqual([
      { projectId: project.id, userId: user.id, minute: new Date(Date.UTC(2030, 0, 1, 10, 5)), total: 2, timeouts: 1, ooms: 0 },
      { projectId: project.id, userId: user.id, minute: new Date(Date.UTC(2030, 0, 1, 10, 6)), total: 1, timeouts: 0, ooms: 1 },
    ]);
  });
});

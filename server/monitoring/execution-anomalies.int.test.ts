import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/fixtures/accounts";
import { getPrisma } from "@/server/db/client";
import { detectExecutionAnomalies } from "./execution-anomalies";

describe("detectExecutionAnomalies", () => {
  it("flags a project that keeps timing out, read from sandbox_executions", async () => {
    const user = await makeUser();
    const project = await getPrisma().sandboxProject.create({ data: { name: "slow", userId: user.id }, select: { id: true } });
    const now = new Date(Date.UTC(2031, 5, 1, 9, 30, 30));
    await getPrisma().sandboxExecution.createMany({
      data: Array.from({ length: 6 }, (_, i) => ({
        projectId: project.id,
        userId: user.id,
        status: "timeout",
        executedAt: new Date(now.getTime() - i * 60_000),
      })),
    });
    const flags = await detectExecutionAnomalies(now, 60);
    const mine = flags.filter((f) => f.subject.kind === "project" && f.subject.id === String(project.id));
    expect(mine).toContainEqual(expect.objectContaining({ signal: "timeouts", reason: "repeated", value: 6 }));
  });
});

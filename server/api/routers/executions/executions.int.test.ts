import { describe, expect, it } from "vitest";
import { drain, makeTarget } from "@/test/support/attack-matrix";
import { sessionCaller } from "@/test/support/callers";
import { executionRepository } from "@/server/repositories/execution-repository";

// Executions that are no longer in this process's memory (finished long ago, or run by another
// instance) replay from their database row.
function unwrap(tracked: unknown) {
  return (Array.isArray(tracked) ? tracked[1] : (tracked as { data: unknown }).data) as { seq: number; type: string; data?: string; status?: string };
}

describe("executions.output from the database", () => {
  it("replays stdout, stderr and exit; a client resuming mid-stream gets only the exit", async () => {
    const target = await makeTarget();
    const caller = await sessionCaller(target.ownerId);
    const row = await executionRepository.start({
      projectId: target.projectId,
      userId: target.ownerId,
      executedCode: "x",
      language: null,
      executionType: "run",
      executedByAi: null,
    });
    await executionRepository.finish(row.id, {
      output: "out\n",
      errorOutput: "err\n",
      outputTruncated: false,
      exitCode: 2,
      executionTimeMs: 5,
      memoryUsedMb: null,
      cpuUsagePercent: null,
      status: "error",
      statusReason: null,
    });

    const events = [];
    for await (const tracked of await caller.executions.output({ executionId: row.id })) events.push(unwrap(tracked));
    expect(events).toEqual([
      { seq: 1, type: "stdout", data: "out\n" },
      { seq: 2, type: "stderr", data: "err\n" },
      { seq: 3, type: "exit", exitCode: 2, status: "error", reason: null, truncated: false },
    ]);
    const resumed = [];
    for await (const tracked of await caller.executions.output({ executionId: row.id, lastEventId: 7 })) resumed.push(unwrap(tracked));
    expect(resumed).toEqual([{ seq: 8, type: "exit", exitCode: 2, status: "error", reason: null, truncated: false }]);
  });

  it("history lists newest first without output; get returns the output", async () => {
    const target = await makeTarget();
    const caller = await sessionCaller(target.ownerId);
    const history = await caller.executions.history({ projectId: target.projectId });
    expect(history.map((e) => e.id)).toEqual([target.executionId]);
    expect(JSON.stringify(history)).not.toContain("secret output");
    expect((await caller.executions.get({ executionId: target.executionId })).output).toBe("secret output");
    await drain(await caller.executions.output({ executionId: target.executionId }));
  });
});

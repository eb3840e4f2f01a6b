import { describe, expect, it } from "vitest";
import { executionLogInput, type FinishedExecution } from "./execution-log";
import { buildSandboxLogEntry } from "./sandbox-log";
import type { SandboxExecutionResult } from "@/server/sandbox/engine";

// The engine's result can be passed as it is (checked by the compiler).
export type _EngineResultFits = SandboxExecutionResult extends FinishedExecution ? true : never;
const _fits: _EngineResultFits = true;
void _fits;

const ok: FinishedExecution = { status: "success", reason: null, durationMs: 120.4, memoryPeakMb: 30, cpuPercent: 12, errorOutput: "" };
const base = { projectId: 3, userId: 7, aiPersonality: "c24", type: "run" };

describe("executionLogInput", () => {
  it("a success is info with its resource usage and no error", () => {
    expect(buildSandboxLogEntry(executionLogInput({ ...base, result: ok }), new Date(0))).toEqual({
      timestamp: "1970-01-01T00:00:00.000Z",
      level: "info",
      sandbox_id: "3",
      user_id: "7",
      ai_personality: "c24",
      action: "execute:run",
      execution_time: 120,
      resource_usage: { cpu_usage: 12, memory_usage: 30 },
    });
  });

  it("a program failure is a warning with the escaped tail of stderr; an engine failure is an error", () => {
    const failed = executionLogInput({ ...base, result: { ...ok, status: "timeout", reason: "killed", errorOutput: "x".repeat(600) + "\n\u001b[1mboom" } });
    expect(failed.level).toBe("warn");
    const entry = buildSandboxLogEntry(failed);
    expect(entry.error?.startsWith("killed: …")).toBe(true);
    expect(entry.error?.endsWith("\\nboom")).toBe(true);
    expect(executionLogInput({ ...base, result: { ...ok, status: "error", errorCode: "CAPACITY", memoryPeakMb: null, cpuPercent: null } })).toMatchObject({
      level: "error",
      error: "CAPACITY",
      resource_usage: {},
    });
  });
});

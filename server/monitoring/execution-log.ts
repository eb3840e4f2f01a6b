import type { SandboxLogInput } from "./sandbox-log";

/** The parts of a finished execution a log entry needs (ExecutionResult has them all). */
export interface FinishedExecution {
  status: "success" | "error" | "timeout";
  reason: string | null;
  durationMs: number;
  memoryPeakMb: number | null;
  cpuPercent: number | null;
  errorOutput: string;
  /** Set when the engine, not the program, failed (CAPACITY, DOCKER_UNAVAILABLE...). */
  errorCode?: string | null;
}

// Only the tail of stderr: it is where the error is, and a log line must stay small.
const STDERR_TAIL = 500;

/**
 * One SandboxLogEntry input per execution. A program failing is a warning (the sandbox did its
 * job); the engine failing is an error an admin must look at.
 */
export function executionLogInput(e: {
  projectId: number | string;
  userId: number | string;
  aiPersonality: string | null;
  type: string;
  result: FinishedExecution;
}): SandboxLogInput {
  const { result } = e;
  const level = result.errorCode ? "error" : result.status === "success" ? "info" : "warn";
  const why = result.errorCode ?? result.reason ?? (result.status === "success" ? null : result.status);
  const tail = result.errorOutput.length > STDERR_TAIL ? `…${result.errorOutput.slice(-STDERR_TAIL)}` : result.errorOutput;
  return {
    level,
    sandbox_id: e.projectId,
    user_id: e.userId,
    ai_personality: e.aiPersonality,
    action: `execute:${e.type}`,
    execution_time: Math.round(result.durationMs),
    resource_usage: {
      ...(result.cpuPercent !== null ? { cpu_usage: result.cpuPercent } : {}),
      ...(result.memoryPeakMb !== null ? { memory_usage: result.memoryPeakMb } : {}),
    },
    error: why ? (tail ? `${why}: ${tail}` : why) : null,
  };
}

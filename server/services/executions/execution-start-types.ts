import type { ExecutionRecord } from "@/server/repositories/execution-repository";
import type { ProjectRecord } from "@/server/repositories/project-repository";
import type { ExecutionFileChanges, SandboxEngine } from "@/server/sandbox/engine";
import type { PreparedExecution } from "@/server/sandbox/execution-request";

// The shapes of a started execution, apart from start-execution.ts so the forwarding side
// (services/cluster/forward-execution.ts), which start-execution.ts calls, needs no import back.

export type ExecutionWithFiles = ExecutionRecord & {
  files: ExecutionFileChanges | null;
  engineError: string | null;
  /** The server's own lines appended to the stored stderr (files not saved, the run's time limit): streams tell them before the end. */
  notice: string;
};

export interface StartedExecution {
  execution: ExecutionRecord;
  /** Settles when the execution has finished and been recorded. */
  done: Promise<ExecutionWithFiles>;
}

export interface Admitted {
  project: ProjectRecord;
  engine: SandboxEngine;
  prepared: PreparedExecution;
  /** The configured ceiling a notice names (SANDBOX_MAX_TIMEOUT). */
  maxTimeoutSeconds: number;
}

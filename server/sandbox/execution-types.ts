import type { ImageKind } from "./config";
import type { StreamTruncation } from "./output-cap";

export const LANGUAGES = ["node", "typescript", "python"] as const;
export type Language = (typeof LANGUAGES)[number];
export type ExecutionType = "run" | "test" | "build";
export type ExecutionStatus = "success" | "error" | "timeout";
export type ExecutionReason = "oom" | "killed" | "cancelled" | "capacity" | null;

export type ExecutionRequest =
  | { kind: "command"; command: string; type?: ExecutionType; timeoutMs?: number; image?: ImageKind }
  | { kind: "code"; language: Language; code: string; type?: ExecutionType; timeoutMs?: number };

export type OutputEvent = { seq: number; type: "stdout" | "stderr"; data: string };
export type ExitEvent = {
  seq: number;
  type: "exit";
  exitCode: number | null;
  status: ExecutionStatus;
  reason: ExecutionReason;
  truncated: boolean;
};
/** Ordered by `seq` (starting at 1); the exit event is always last. */
export type ExecutionEvent = OutputEvent | ExitEvent;

/** What the output cap dropped from each stream (execution-output.ts), null for a stream it left whole. */
export type OutputTruncation = {
  stdout: StreamTruncation | null;
  stderr: StreamTruncation | null;
};

export interface ExecutionResult {
  /** The shell command, or the code snippet. */
  command: string;
  language: Language | null;
  type: ExecutionType;
  output: string;
  errorOutput: string;
  /** True when output beyond maxOutputBytes was dropped. */
  truncated: boolean;
  /** What was dropped, per stream, and where the cap's marker lines sit (output-cap.ts); null when nothing was. */
  truncation: OutputTruncation | null;
  exitCode: number | null;
  durationMs: number;
  memoryPeakMb: number | null;
  cpuPercent: number | null;
  status: ExecutionStatus;
  reason: ExecutionReason;
  containerId: string | null;
}

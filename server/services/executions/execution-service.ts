import type { Actor } from "@/server/auth/actor";
import type { ExecutionEvent, ExecutionRequest } from "@/server/sandbox/execution-types";
import { type ExecutionSettings, type ExecutionWithFiles, startExecution } from "./start-execution";

export type { ExecutionWithFiles } from "./start-execution";

export interface RunExecutionOptions {
  onEvent?: (event: ExecutionEvent) => void;
}

/**
 * Runs a command or snippet to completion for an in-process caller, through the one execution
 * path (startExecution: access, limits, the row, the engine, the recorded result).
 */
export async function runExecution(
  actor: Actor,
  projectId: number,
  request: ExecutionRequest,
  settings: ExecutionSettings,
  opts: RunExecutionOptions = {},
): Promise<ExecutionWithFiles> {
  const { done } = await startExecution(actor, projectId, request, settings, opts.onEvent ? { onEvent: opts.onEvent } : {});
  return done;
}

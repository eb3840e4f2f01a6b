import type { AiPersonality } from "@/lib/ai-personalities";
import type { AuthUser } from "@/server/auth/auth-user";
import type { ExecutionEvent, ExecutionRequest } from "@/server/sandbox/execution-types";
import { attributedAi } from "@/server/services/ai-attribution";
import { type ExecutionWithFiles, startExecution } from "./start-execution";

export type { ExecutionWithFiles } from "./start-execution";

export interface RunExecutionOptions {
  /** The personality named by the caller; absent, the API key's default (attributedAi). */
  aiPersonality?: AiPersonality | null;
  onEvent?: (event: ExecutionEvent) => void;
}

/**
 * Runs a command or snippet to completion for an in-process caller, through the one execution
 * path (startExecution: access, limits, the row, the engine, the recorded result).
 */
export async function runExecution(user: AuthUser, projectId: number, request: ExecutionRequest, opts: RunExecutionOptions = {}): Promise<ExecutionWithFiles> {
  const { done } = await startExecution(user, projectId, request, attributedAi(user, opts.aiPersonality), opts.onEvent ? { onEvent: opts.onEvent } : {});
  return done;
}

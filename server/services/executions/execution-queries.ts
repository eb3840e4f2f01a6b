import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { type ExecutionRecord, executionRepository } from "@/server/repositories/execution-repository";
import { askOwner } from "@/server/services/cluster/ask-owner";
import { requireProject } from "@/server/services/projects/project-access";
import { getExecutionHub } from "./execution-hub";

/** The execution if the caller may read its project; anything else is the same NOT_FOUND. */
export async function requireExecution(user: AuthUser, executionId: number, mode: "read" | "write" = "read"): Promise<ExecutionRecord> {
  const execution = await executionRepository.findById(executionId);
  const notFound = new AppError("NOT_FOUND", `Execution ${executionId} not found`);
  if (!execution) throw notFound;
  try {
    await requireProject(user, execution.projectId, mode);
  } catch {
    throw notFound;
  }
  return execution;
}

export async function listExecutions(user: AuthUser, projectId: number, opts: { limit: number; beforeId?: number }) {
  await requireProject(user, projectId, "read");
  return executionRepository.listForProject(projectId, opts.limit, opts.beforeId);
}

/** The latest execution of a project (the seed's GET …/output), or null before the first run. */
export async function latestExecution(user: AuthUser, projectId: number): Promise<ExecutionRecord | null> {
  await requireProject(user, projectId, "read");
  return executionRepository.latestForProject(projectId);
}

/**
 * Cancels a running execution, wherever it runs: here through the hub, on another instance by
 * asking its owner over the cluster bus (the owner's answer is the result). False when it had
 * already finished, or its owner did not answer in time (dead: the sweeper ends it as interrupted).
 */
export async function cancelExecution(user: AuthUser, executionId: number): Promise<boolean> {
  await requireExecution(user, executionId, "write");
  if (getExecutionHub().cancel(executionId)) return true;
  const answer = await askOwner(await executionRepository.runningOn(executionId), { type: "cancel-execution", executionId });
  return answer?.done ?? false;
}

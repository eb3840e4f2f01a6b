import { aiPersonalitySchema } from "@/lib/ai-personalities";
import { executionRepository } from "@/server/repositories/execution-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { prepareExecution } from "@/server/sandbox/execution-request";
import type { ExecutionRequest, ExecutionType, Language } from "@/server/sandbox/execution-types";
import { requireEngine } from "@/server/services/engine/running-engine";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { runRecordedExecution } from "@/server/services/executions/start-execution";
import type { ClusterCommand } from "./cluster-bus";
import { placeProject } from "./lease-mover";

/**
 * The owner's side of `start-execution` (forward-execution.ts asks): the peer admitted the request
 * and recorded the row; this instance runs it under its own ownership row, as if it had been asked
 * directly. True once the run has started (its hub entry is open); false when this instance cannot
 * serve the project here (it moved meanwhile): a forward is never forwarded again.
 */
export async function startForwardedExecution(command: Extract<ClusterCommand, { type: "start-execution" }>): Promise<boolean> {
  const placement = await placeProject(command.projectId);
  if (!placement.here) return false;
  try {
    const [row, project] = await Promise.all([executionRepository.findById(command.executionId), projectRepository.findById(command.projectId)]);
    if (!row || row.finishedAt || row.projectId !== command.projectId || !project) {
      placement.done();
      return false;
    }
    const engine = requireEngine();
    const code = row.executedCode ?? "";
    const request: ExecutionRequest =
      row.language === null
        ? { kind: "command", command: code, type: row.executionType as ExecutionType, timeoutMs: command.timeoutMs, image: command.image }
        : { kind: "code", language: row.language as Language, code, type: row.executionType as ExecutionType, timeoutMs: command.timeoutMs };
    // Checked again against this engine's ceilings (the same configuration as the peer's).
    const prepared = prepareExecution(request, engine.config);
    const ai = aiPersonalitySchema.nullable().catch(null).parse(command.ai);
    void runRecordedExecution(command.userId, ai, { project, engine, prepared, maxTimeoutSeconds: command.maxTimeoutSeconds }, row, {}, placement.done);
    return true;
  } catch (err) {
    placement.done();
    throw err;
  }
}

/** The owner's side of `await-execution`: answers once the run has ended and its result is recorded (at once if it already has). */
export async function awaitExecutionEnd(executionId: number): Promise<boolean> {
  const hub = getExecutionHub();
  if (hub.isFinished(executionId)) return true;
  await new Promise<void>((resolve) => {
    // The exit event is pushed after the result is recorded (start-execution.ts).
    const subscription = hub.subscribe(executionId, (event) => {
      if (event.type !== "exit") return;
      subscription?.unsubscribe();
      resolve();
    });
    if (!subscription || subscription.backlog.some((e) => e.type === "exit")) {
      subscription?.unsubscribe();
      resolve();
    }
  });
  return true;
}

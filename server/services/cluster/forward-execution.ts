import type { AiPersonality } from "@/lib/ai-personalities";
import { AppError } from "@/server/errors/app-error";
import { getAppRuntime } from "@/server/process/app-runtime";
import { executionRepository, notRunOutcome } from "@/server/repositories/execution-repository";
import type { Admitted, ExecutionWithFiles, StartedExecution } from "@/server/services/executions/execution-start-types";
import { executionDeadline } from "@/server/services/records/execution-deadline";
import { OWNER_ANSWER_MS } from "./ask-owner";

/** Beyond the run's own timeout: the owner's engine budgets and recording (the row's deadline says the same). */
const END_ANSWER_GRACE_MS = 180_000;

/**
 * The asking side of a forwarded execution (SCALE.md, "Project ownership"): the project is busy on
 * `owner`, which holds its one live container. This instance has admitted the request (access,
 * limits, quota, rate limits); it records the row naming the owner as the instance that runs it
 * (the code travels in the row, not in a NOTIFY of at most 8000 bytes), asks the owner to start
 * it, and returns the row. `done` is the owner's answer at the run's end, read back from the row.
 */
export async function forwardExecution(userId: number, ai: AiPersonality | null, admitted: Admitted, owner: string): Promise<StartedExecution> {
  const bus = getAppRuntime().clusterBus;
  if (!bus) throw new AppError("UNAVAILABLE", "this server cannot reach the instance that holds the project");
  const { prepared, project, engine } = admitted;
  const row = await executionRepository.start({
    projectId: project.id,
    userId,
    executedCode: prepared.command,
    language: prepared.language,
    executionType: prepared.type,
    executedByAi: ai,
    instanceId: owner,
    deadlineAt: executionDeadline(prepared.timeoutMs, engine.config),
  });
  const started = await bus.ask(
    owner,
    {
      type: "start-execution",
      executionId: row.id,
      projectId: project.id,
      userId,
      ai,
      image: prepared.image,
      timeoutMs: prepared.timeoutMs,
      maxTimeoutSeconds: admitted.maxTimeoutSeconds,
    },
    OWNER_ANSWER_MS["start-execution"],
  );
  if (!started?.done) {
    const reason = started ? "refused it (it no longer holds the project)" : "did not answer";
    await executionRepository.finish(row.id, notRunOutcome(`pantheon: the server instance holding the project ${reason}; try again\n`)).catch(() => {});
    throw new AppError("UNAVAILABLE", `The server instance holding project ${project.id} ${reason}; try again`, { retryAfterSeconds: 1 });
  }
  const done = (async (): Promise<ExecutionWithFiles> => {
    await bus.ask(owner, { type: "await-execution", executionId: row.id }, prepared.timeoutMs + END_ANSWER_GRACE_MS);
    const finished = await executionRepository.findById(row.id);
    // No answer and no end recorded: the owner died mid-run (its sweeper-side end comes within 30 s).
    if (!finished?.finishedAt) throw new AppError("UNAVAILABLE", `The server instance running execution ${row.id} stopped answering`);
    return { ...finished, files: null, engineError: null, notice: "" };
  })();
  done.catch(() => {});
  return { execution: row, done };
}

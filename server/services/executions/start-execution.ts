import type { AiPersonality } from "@/lib/ai-personalities";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { prepareExecution } from "@/server/sandbox/execution-request";
import type { ExecutionRecord } from "@/server/repositories/execution-repository";
import { runExecution, type ExecutionWithFiles } from "@/server/services/execution-service";
import { requireProject } from "@/server/services/project-access";
import { getRateLimits } from "@/server/services/rate-limits-access";
import { requireEngine } from "@/server/services/sandbox-engine-access";
import type { ExecutionRequest, ExitEvent } from "@/server/sandbox/execution-types";
import { getTemplate } from "@/server/templates/templates";
import { getExecutionHub } from "./execution-hub";
import { claimSandboxSlot } from "./sandbox-quota";
import { maxTimeoutSeconds, timeoutCeilingMessage } from "./timeout-ceiling";

export interface StartedExecution {
  execution: ExecutionRecord;
  /** Settles when the execution has finished and been recorded. */
  done: Promise<ExecutionWithFiles>;
}

/**
 * Starts an execution and resolves as soon as its row exists; the output flows into the
 * execution hub for subscribers. Checks, in order: access (404), the timeout ceiling, the
 * running-sandbox quota, then the per-project and per-user execution rate limits.
 */
export async function startExecution(user: AuthUser, projectId: number, request: ExecutionRequest, ai: AiPersonality | null): Promise<StartedExecution> {
  const project = await requireProject(user, projectId, "write");
  const ceiling = maxTimeoutSeconds();
  if (request.timeoutMs !== undefined && request.timeoutMs > ceiling * 1000) {
    throw new AppError("BAD_REQUEST", `timeout ${timeoutCeilingMessage(ceiling)} (asked: ${request.timeoutMs / 1000} s)`);
  }
  const engine = requireEngine();
  // A command in a template's project runs in that template's image (python-script → python).
  if (request.kind === "command" && !request.image && project.templateType) request = { ...request, image: getTemplate(project.templateType).image };
  // Refused requests (NUL in a command, oversized code) cost no rate-limit points.
  try {
    prepareExecution(request, engine.config);
  } catch (e) {
    throw fromSandboxError(e);
  }
  await claimSandboxSlot(user.id, project);
  await (await getRateLimits()).consumeExecution(String(user.id), String(projectId));

  const hub = getExecutionHub();
  const controller = new AbortController();
  let executionId: number | null = null;
  let exit: ExitEvent | null = null;
  let started!: (row: ExecutionRecord) => void;
  const startedPromise = new Promise<ExecutionRecord>((resolve) => (started = resolve));

  const done = runExecution(user, projectId, request, {
    aiPersonality: ai,
    signal: controller.signal,
    onStarted: (row) => {
      executionId = row.id;
      hub.open(row.id, projectId, controller);
      started(row);
    },
    onEvent: (event) => {
      // The exit event waits until the row is recorded: a subscriber that sees the end can read the result.
      if (event.type === "exit") exit = event;
      else if (executionId !== null) hub.push(executionId, event);
    },
  });
  void done.then(
    (result) => {
      if (executionId === null || !exit) return;
      // The server's notices (files not saved, the time limit) are told before the end, as the stored error output tells them.
      const { notice } = result;
      if (notice) hub.push(executionId, { seq: exit.seq, type: "stderr", data: notice });
      hub.push(executionId, notice ? { ...exit, seq: exit.seq + 1 } : exit);
    },
    // Failures after the row exists are recorded by runExecution; subscribers still get an ending.
    (err: unknown) => {
      if (executionId === null || hub.isFinished(executionId)) return;
      if (exit) return hub.push(executionId, exit);
      const seq = hub.lastSeq(executionId);
      const message = err instanceof Error ? err.message : "the execution failed";
      hub.push(executionId, { seq: seq + 1, type: "stderr", data: `pantheon: ${message}\n` });
      hub.push(executionId, { seq: seq + 2, type: "exit", exitCode: null, status: "error", reason: null, truncated: false });
    },
  );
  const execution = await Promise.race([startedPromise, done.then(() => startedPromise)]);
  return { execution, done };
}

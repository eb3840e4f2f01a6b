import type { AiPersonality } from "@/lib/ai-personalities";
import { getEnv } from "@/lib/env";
import type { AuthUser } from "@/server/auth/auth-user";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { getLogger } from "@/server/logging/logger";
import { executionLogInput } from "@/server/monitoring/execution-log";
import { recordExecution } from "@/server/monitoring/prometheus";
import { logSandboxEvent } from "@/server/monitoring/sandbox-log";
import { recordRejectedPaths } from "@/server/monitoring/security-events";
import { type ExecutionRecord, executionRepository } from "@/server/repositories/execution-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import type { ExecutionFileChanges } from "@/server/sandbox/engine";
import { prepareExecution } from "@/server/sandbox/execution-request";
import type { ExecutionEvent, ExecutionRequest } from "@/server/sandbox/execution-types";
import type { RefusedReason } from "@/server/sandbox/workspace-files";
import { watchListeningPorts } from "./executions/port-watch";
import { runLimitNotice } from "./executions/run-limit-notice";
import { skippedFilesNotice, skippedFilesOf } from "./executions/skipped-files";
import { requireProject } from "./project-access";
import { requireEngine } from "./sandbox-engine-access";

/** Refusals of the sync that look like probing (size and binary refusals are ordinary). */
const PROBING = new Set<RefusedReason>(["invalid-path", "symlink", "hardlink", "special-file"]);

export interface RunExecutionOptions {
  aiPersonality?: AiPersonality | null;
  signal?: AbortSignal;
  onEvent?: (event: ExecutionEvent) => void;
  /** Called once the execution row exists, before any output: streams can name it at once. */
  onStarted?: (execution: ExecutionRecord) => void;
}

export type ExecutionWithFiles = ExecutionRecord & {
  files: ExecutionFileChanges | null;
  engineError: string | null;
  /** The server's own lines appended to the stored stderr (files not saved, the run's time limit): streams tell them before the end. */
  notice: string;
};

/**
 * Runs a command or snippet in the project's container and records it in sandbox_executions,
 * with who ran it (user and AI personality). Bad requests are refused before a row or a
 * container exists; engine failures (capacity, Docker down) are recorded like any execution.
 */
export async function runExecution(user: AuthUser, projectId: number, request: ExecutionRequest, opts: RunExecutionOptions = {}): Promise<ExecutionWithFiles> {
  const project = await requireProject(user, projectId, "write");
  const engine = requireEngine();
  let prepared;
  try {
    prepared = prepareExecution(request, engine.config);
  } catch (e) {
    throw fromSandboxError(e);
  }

  const aiPersonality = opts.aiPersonality ?? (user.defaultAiPersonality as AiPersonality | null) ?? null;
  const row = await executionRepository.start({
    projectId,
    userId: user.id,
    executedCode: prepared.command,
    language: prepared.language,
    executionType: prepared.type,
    executedByAi: aiPersonality,
  });
  opts.onStarted?.(row);

  // A server started as a run is noticed while it runs (its output, the container's sockets).
  const ports = watchListeningPorts(engine, projectId, prepared.image, getLogger());
  const onEvent = (event: ExecutionEvent) => {
    if (event.type !== "exit") ports.output(event.data);
    opts.onEvent?.(event);
  };
  let result;
  try {
    result = await engine.execute(String(projectId), request, { signal: opts.signal, onEvent, network: project.networkPolicy });
  } catch (e) {
    ports.finish(false);
    await executionRepository.finish(row.id, {
      output: "",
      errorOutput: e instanceof Error ? e.message : "failed",
      outputTruncated: false,
      exitCode: null,
      executionTimeMs: 0,
      memoryUsedMb: null,
      cpuUsagePercent: null,
      status: "error",
      statusReason: null,
    });
    recordExecution({ status: "error", runtime: engine.config.runtime, durationMs: 0 });
    throw fromSandboxError(e);
  }

  // Files the sync refused (a name that is not UTF-8, a symlink...) are said in stderr and stored;
  // so is the time limit a run ended at, and where a server it started belongs.
  const skippedFiles = skippedFilesOf(result.files);
  const listeningPorts = ports.finish(result.status === "timeout" || result.reason === "cancelled");
  const notice =
    skippedFilesNotice(skippedFiles) +
    runLimitNotice({
      projectId,
      command: request.kind === "command" ? request.command : "",
      result,
      listeningPorts,
      timeoutMs: prepared.timeoutMs,
      maxTimeoutSeconds: getEnv().SANDBOX_MAX_TIMEOUT,
    });
  const finished = await executionRepository.finish(row.id, {
    output: result.output,
    errorOutput: result.errorOutput + notice,
    skippedFiles,
    listeningPorts,
    outputTruncated: result.truncated,
    exitCode: result.exitCode,
    executionTimeMs: Math.round(result.durationMs),
    memoryUsedMb: result.memoryPeakMb,
    cpuUsagePercent: result.cpuPercent,
    status: result.status,
    statusReason: result.reason,
  });
  // The container itself is recorded by the engine's bind notice (services/sandbox-leases.ts).
  await projectRepository.touch(projectId);
  recordExecution({ status: result.status, runtime: engine.config.runtime, durationMs: result.durationMs });
  logSandboxEvent(executionLogInput({ projectId, userId: user.id, aiPersonality, type: prepared.type, result }));
  // Symlinks, devices and invalid names a program left in /workspace: path probing from inside.
  recordRejectedPaths({ userId: user.id, projectId }, result.files?.refused.filter((f) => PROBING.has(f.reason)).length ?? 0);
  return { ...finished, files: result.files, engineError: result.errorCode ? result.errorOutput : null, notice };
}

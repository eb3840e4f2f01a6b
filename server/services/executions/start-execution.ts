import type { AiPersonality } from "@/lib/ai-personalities";
import type { Actor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { getLogger } from "@/server/logging/logger";
import { executionLogInput } from "@/server/monitoring/execution-log";
import { recordExecution } from "@/server/monitoring/prometheus";
import { logSandboxEvent } from "@/server/monitoring/sandbox-log";
import { recordRejectedPaths } from "@/server/monitoring/security-events";
import { type ExecutionRecord, executionRepository, notRunOutcome } from "@/server/repositories/execution-repository";
import type { SandboxExecutionResult } from "@/server/sandbox/engine";
import { prepareExecution, type PreparedExecution } from "@/server/sandbox/execution-request";
import type { ExecutionEvent, ExecutionRequest, ExitEvent } from "@/server/sandbox/execution-types";
import type { RefusedReason } from "@/server/sandbox/workspace-files";
import { requireProjectForUse } from "@/server/services/projects/project-access";
import { getRateLimits } from "@/server/process/rate-limits-runtime";
import { executionLimits, requireEngine } from "@/server/services/engine/running-engine";
import type { Env } from "@/lib/env";
import { getTemplate } from "@/server/templates/templates";
import { recordDurably } from "@/server/services/records/durable-record";
import { forwardExecution } from "@/server/services/cluster/forward-execution";
import type { Admitted, ExecutionWithFiles, StartedExecution } from "./execution-start-types";
import { placeProject } from "@/server/services/cluster/lease-mover";
import { executionRecordStamp } from "@/server/services/records/execution-deadline";
import { watchListeningPorts, type PortWatch } from "./port-watch";
import { runLimitNotice } from "./run-limit-notice";
import { getExecutionHub } from "./execution-hub";
import { claimSandboxSlot } from "./sandbox-quota";
import { knownOwner, rememberOwner } from "./known-owners";
import { skippedFilesNotice, skippedFilesOf } from "./skipped-files";

// The one path of an execution, whoever asks (tRPC, REST, MCP, the AI tools). Its states, in order:
//   admitted  the request validated once (prepareExecution: language, command, the timeout
//             ceiling), access (404), the template's image, the running-sandbox quota and the rate
//             limits. Nothing is recorded before, and a refused request costs no rate-limit points
//             (charged early beside the access read, they are given back: admit()).
//   recorded  the row exists (status null) and the hub has an entry: subscribers can attach.
//   running   the engine runs the prepared request; output flows into the hub as it comes.
//   finished  the result is recorded, then the hub gets the exit event (whoever sees the end can
//             read the row); or
//   failed    the engine or the recording threw after the row existed: recorded as an error where
//             the database allows, and the hub still gets an ending.
// Database round trips of a run on a warm project: the project (read and touched in one UPDATE …
// RETURNING) and, beside it once the owner is known, the two rate-limit windows; the row's insert;
// the row's update. A project without a container adds the quota's count and claim, the engine's
// load of its files and its bind record.
// The row's insert and the result's update wait for the WAL flush (a row lost to a PostgreSQL
// crash mid-run would leave the result nowhere to land); the touch and the windows commit without
// waiting (repositories).

export type { Admitted, ExecutionWithFiles, StartedExecution } from "./execution-start-types";

export type ExecutionRunState = "admitted" | "recorded" | "running" | "finished" | "failed";

export interface StartExecutionOptions {
  /** Each event as the engine emits it (in-process callers; remote ones subscribe to the hub). */
  onEvent?: (event: ExecutionEvent) => void;
}

/** Refusals of the sync that look like probing (size and binary refusals are ordinary). */
const PROBING = new Set<RefusedReason>(["invalid-path", "symlink", "hardlink", "special-file"]);

/**
 * The configuration an execution is checked against, passed in from where the request entered
 * (the tRPC context, the REST caller, the MCP endpoint); the engine's own limits win when it runs.
 */
export type ExecutionSettings = Pick<Env, "SANDBOX_DEFAULT_TIMEOUT" | "SANDBOX_MAX_TIMEOUT" | "SANDBOX_MAX_FILE_SIZE">;

/**
 * Starts an execution and resolves as soon as its row exists; the output flows into the execution
 * hub for subscribers. The actor's `ai` is the personality attributed where the request entered.
 */
export async function startExecution(
  actor: Actor,
  projectId: number,
  request: ExecutionRequest,
  settings: ExecutionSettings,
  opts: StartExecutionOptions = {},
): Promise<StartedExecution> {
  const { user, ai } = actor;
  const admitted = await admit(user, projectId, request, settings);
  // Replicas: the project's one live container may be on another instance (services/cluster/SCALE.md).
  const placement = await placeProject(projectId);
  if (!placement.here) return forwardExecution(user.id, ai, admitted, placement.owner);
  let row: ExecutionRecord;
  try {
    row = await executionRepository.start({
      projectId,
      userId: user.id,
      executedCode: admitted.prepared.command,
      language: admitted.prepared.language,
      executionType: admitted.prepared.type,
      executedByAi: ai,
      ...executionRecordStamp(admitted.prepared.timeoutMs, admitted.engine.config),
    });
  } catch (e) {
    placement.done();
    throw e;
  }
  return { execution: row, done: runRecordedExecution(user.id, ai, admitted, row, opts, placement.done) };
}

/**
 * Runs an execution whose row exists: this instance's own (above), or one a peer recorded and
 * forwarded to this instance, which holds the project (services/cluster/forwarded-execution.ts).
 */
export function runRecordedExecution(
  userId: number,
  ai: AiPersonality | null,
  admitted: Admitted,
  row: ExecutionRecord,
  opts: StartExecutionOptions,
  ended: () => void,
): Promise<ExecutionWithFiles> {
  const run = new ExecutionRun(userId, admitted, row, ai, opts);
  const done = run.run().finally(ended);
  // Failures are recorded and told to subscribers by the run; a caller that only wanted the id
  // (tRPC's executions.run) never awaits `done`, and its rejection must not go unhandled.
  done.catch(() => {});
  return done;
}

async function admit(user: AuthUser, projectId: number, request: ExecutionRequest, settings: ExecutionSettings): Promise<Admitted> {
  // The request first (no database): nothing is read or charged for one that could never run.
  let prepared: PreparedExecution;
  try {
    prepared = prepareExecution(request, executionLimits(settings));
  } catch (e) {
    throw fromSandboxError(e);
  }
  const limits = await getRateLimits();
  const [uid, pid] = [String(user.id), String(projectId)];
  // A caller known to own the project (or an admin) is charged while its access is read: a
  // stranger's request never touches another's project window, even for a moment (known-owners.ts).
  const early = user.role === "admin" || knownOwner(projectId) === user.id ? limits.consumeExecution(uid, pid) : null;
  early?.catch(() => {}); // settled below; a refusal must not count as unhandled meanwhile
  const giveBack = () =>
    early?.then(
      () => limits.refundExecution(uid, pid).catch(() => {}),
      () => {},
    );
  try {
    // Access and the project's lastAccessedAt in one statement (a caller without access touches nothing).
    const project = await requireProjectForUse(user, projectId);
    rememberOwner(projectId, project.userId);
    // A command in a template's project runs in that template's image (python-script → python).
    if (request.kind === "command" && !request.image && project.templateType) prepared = { ...prepared, image: getTemplate(project.templateType).image };
    const engine = requireEngine();
    await claimSandboxSlot(user.id, project);
    await (early ?? limits.consumeExecution(uid, pid));
    return { project, engine, prepared, maxTimeoutSeconds: settings.SANDBOX_MAX_TIMEOUT };
  } catch (e) {
    // Refused after the early charge (no access, no engine, the quota): its points are given back.
    await giveBack();
    throw e;
  }
}

/** One execution from its recorded row to its recorded result (states recorded → running → finished | failed). */
class ExecutionRun {
  state: ExecutionRunState = "recorded";
  private readonly hub = getExecutionHub();
  private readonly controller = new AbortController();
  /** The engine's exit event, held until the result is recorded. */
  private exit: ExitEvent | null = null;
  /** A server started as a run is noticed while it runs (its output, the container's sockets). */
  private ports: PortWatch | null = null;

  constructor(
    private readonly userId: number,
    private readonly admitted: Admitted,
    private readonly row: ExecutionRecord,
    private readonly ai: AiPersonality | null,
    private readonly opts: StartExecutionOptions,
  ) {
    this.hub.open(row.id, row.projectId, this.controller);
  }

  async run(): Promise<ExecutionWithFiles> {
    const { engine, prepared, project } = this.admitted;
    this.state = "running";
    this.ports = watchListeningPorts(engine, project.id, prepared.image, getLogger());
    let result: SandboxExecutionResult;
    try {
      result = await engine.run(String(project.id), prepared, {
        signal: this.controller.signal,
        network: project.networkPolicy,
        onEvent: (event) => this.onEvent(event),
      });
    } catch (e) {
      this.ports.finish(false);
      const message = e instanceof Error ? e.message : "failed";
      await this.fail(message, () => recordDurably("a failed execution", () => executionRepository.finish(this.row.id, notRunOutcome(message))));
      recordExecution({ status: "error", runtime: engine.config.runtime, durationMs: 0 });
      throw fromSandboxError(e);
    }

    // Files the sync refused (a name that is not UTF-8, a symlink...) are said in stderr and stored;
    // so is the time limit a run ended at, and where a server it started belongs.
    const skippedFiles = skippedFilesOf(result.files);
    const listeningPorts = this.ports.finish(result.status === "timeout" || result.reason === "cancelled");
    const notice =
      skippedFilesNotice(skippedFiles) +
      runLimitNotice({
        projectId: project.id,
        command: prepared.language === null ? prepared.command : "",
        result,
        listeningPorts,
        timeoutMs: prepared.timeoutMs,
        maxTimeoutSeconds: this.admitted.maxTimeoutSeconds,
      });
    let finished: ExecutionRecord;
    try {
      // A database outage here waits for its recovery: the client is told the result once stored.
      finished = await recordDurably("an execution's result", () =>
        executionRepository.finish(this.row.id, {
          output: result.output,
          errorOutput: result.errorOutput + notice,
          skippedFiles,
          listeningPorts,
          outputTruncated: result.truncated,
          outputTruncation: result.truncation,
          exitCode: result.exitCode,
          executionTimeMs: Math.round(result.durationMs),
          memoryUsedMb: result.memoryPeakMb,
          cpuUsagePercent: result.cpuPercent,
          status: result.status,
          statusReason: result.reason,
        }),
      );
    } catch (e) {
      await this.fail(e instanceof Error ? e.message : "recording the result failed");
      throw e;
    }
    this.state = "finished";
    const { id: projectId } = project;
    recordExecution({ status: result.status, runtime: engine.config.runtime, durationMs: result.durationMs });
    logSandboxEvent(executionLogInput({ projectId, userId: this.userId, aiPersonality: this.ai, type: prepared.type, result }));
    // Symlinks, devices and invalid names a program left in /workspace: path probing from inside.
    recordRejectedPaths({ userId: this.userId, projectId }, result.files?.refused.filter((f) => PROBING.has(f.reason)).length ?? 0);
    if (this.exit) {
      // Files not saved are told before the end, as the stored error output tells them.
      if (notice) this.hub.push(this.row.id, { seq: this.exit.seq, type: "stderr", data: notice });
      this.hub.push(this.row.id, notice ? { ...this.exit, seq: this.exit.seq + 1 } : this.exit);
    }
    return { ...finished, files: result.files, engineError: result.errorCode ? result.errorOutput : null, notice };
  }

  private onEvent(event: ExecutionEvent): void {
    if (event.type !== "exit") this.ports?.output(event.data);
    this.opts.onEvent?.(event);
    // The exit event waits until the row is recorded: a subscriber that sees the end can read the result.
    if (event.type === "exit") this.exit = event;
    else this.hub.push(this.row.id, event);
  }

  /** Ends the run as failed: records it if `record` is given (a failure to record is logged), and ends the hub's stream. */
  private async fail(message: string, record?: () => Promise<unknown>): Promise<void> {
    this.state = "failed";
    await record?.().catch((err: unknown) => getLogger().error({ err, executionId: this.row.id }, "recording a failed execution failed"));
    const id = this.row.id;
    if (this.hub.isFinished(id)) return;
    if (this.exit) return this.hub.push(id, this.exit);
    const seq = this.hub.lastSeq(id);
    this.hub.push(id, { seq: seq + 1, type: "stderr", data: `pantheon: ${message}\n` });
    this.hub.push(id, { seq: seq + 2, type: "exit", exitCode: null, status: "error", reason: null, truncated: false });
  }
}

import type { ExecutionSettings } from "@/server/services/executions/start-execution";
import { randomBytes } from "node:crypto";
import type { Actor } from "@/server/auth/actor";
import { AppError } from "@/server/errors/app-error";
import { requireProject } from "@/server/services/projects/project-access";
import { getTemplate } from "@/server/templates/templates";
import { CpuProfileAggregate } from "./optimize-cpuprofile";
import { type HotSpot, topHotSpots } from "./optimize-hot-spots";
import { PstatsAggregate } from "./optimize-pstats";
import { SourceMaps } from "./optimize-source-maps";
import { type CandidateChanges, type ScriptOutput, buildScript, parseScriptOutput } from "./optimize-script";
import { type SpeedUp, type WallTime, speedUp, wallTime } from "./optimize-stats";
import { runAndWait } from "./run-and-wait";

/** The workspace, and the compare copy's prefix: paths under them come back project-relative. */
const WORKSPACE_ROOTS = ["/workspace"];
const HOT_SPOT_LIMIT = 30;

export interface OptimizeOptions {
  command?: string;
  runs: number;
  timeoutSeconds?: number;
}

export interface ProfileReport {
  command: string;
  executionId: number;
  /** Runs that completed (fewer than asked when one exited non-zero: profiling stops there). */
  runs: number;
  wallTime: WallTime;
  peakMemoryMb: number | null;
  /** CPU time the profilers saw per run (excludes waiting). */
  profiledMs: number;
  hotSpots: HotSpot[];
  /** Set when a run exited non-zero: the report holds what was profiled up to and including that run. */
  failure: { run: number; exitCode: number; outputTail: string } | null;
}

export interface CompareReport {
  command: string;
  executionId: number;
  runs: number;
  baseline: WallTime;
  candidate: WallTime;
  speedUp: SpeedUp;
  peakMemoryMb: number | null;
}

async function commandFor(actor: Actor, projectId: number, command: string | undefined): Promise<string> {
  const project = await requireProject(actor.user, projectId, "write");
  if (command) return command;
  if (!project.templateType) throw new AppError("BAD_REQUEST", `project ${projectId} has no template, so no default command; pass command`);
  // The test command, not the run command: a template's run may start a server that never exits.
  return getTemplate(project.templateType).commands.test;
}

/** One execution of the script, through the same path as every run (recorded, limited, attributed). */
async function runScript(actor: Actor, projectId: number, script: string, nonce: string, opts: OptimizeOptions, settings: ExecutionSettings) {
  const timeoutMs = opts.timeoutSeconds === undefined ? undefined : opts.timeoutSeconds * 1000;
  const execution = await runAndWait(actor, projectId, { kind: "command", command: script, type: "run", timeoutMs }, settings);
  const output = parseScriptOutput(execution.output ?? "", nonce);
  if (execution.status === "timeout") {
    throw new AppError(
      "TIMEOUT",
      `the command did not finish within the time limit (${output.runs.length} run(s) completed); profile something that ends, or raise timeoutSeconds`,
      {
        executionId: execution.id,
      },
    );
  }
  if (execution.engineError) throw new AppError("UNAVAILABLE", `the sandbox could not run the profile: ${execution.engineError}`);
  if (output.noSpace) throw new AppError("PAYLOAD_TOO_LARGE", "the project and its candidate changes do not fit in the sandbox's /tmp for a compare run");
  if (!output.finished && output.runs.length === 0) {
    const why = [execution.statusReason, execution.exitCode === null ? null : `exit code ${execution.exitCode}`].filter(Boolean).join(", ");
    const stderr = (execution.errorOutput ?? "").slice(-1000).trim();
    throw new AppError(
      "BAD_REQUEST",
      `the profile run ended before any run completed (${execution.status}${why ? `, ${why}` : ""})${stderr ? `: ${stderr}` : ""}`,
      {
        executionId: execution.id,
      },
    );
  }
  if (!output.finished && execution.outputTruncated) {
    throw new AppError("PAYLOAD_TOO_LARGE", "the profiles exceeded the execution's output cap; profile a shorter run or fewer runs", {
      executionId: execution.id,
    });
  }
  return { execution, output };
}

function failureOf(output: ScriptOutput) {
  const failed = output.runs.find((r) => r.exitCode !== 0);
  return failed ? { run: failed.index, side: failed.side, exitCode: failed.exitCode, outputTail: output.failedTail ?? "" } : null;
}

/** optimize_performance: the command under its runtime's profiler, `runs` times, and where the time goes. */
export async function profilePerformance(actor: Actor, projectId: number, opts: OptimizeOptions, settings: ExecutionSettings): Promise<ProfileReport> {
  const command = await commandFor(actor, projectId, opts.command);
  const nonce = randomBytes(12).toString("hex");
  const { execution, output } = await runScript(actor, projectId, buildScript({ mode: "profile", command, runs: opts.runs, nonce }), nonce, opts, settings);

  const runs = output.runs.length;
  const maps = new SourceMaps();
  for (const text of output.sourceMaps) maps.add(text);
  const node = new CpuProfileAggregate(WORKSPACE_ROOTS, maps);
  for (const text of output.cpuprofiles) node.add(text);
  const python = new PstatsAggregate(WORKSPACE_ROOTS);
  for (const text of output.pstats) python.add(text);
  const fromNode = node.hotSpots(runs);
  const fromPython = python.hotSpots(runs);
  const failure = failureOf(output);
  return {
    command,
    executionId: execution.id,
    runs,
    wallTime: wallTime(output.runs.map((r) => r.wallMs)),
    peakMemoryMb: execution.memoryUsedMb,
    profiledMs: fromNode.profiledMs + fromPython.profiledMs,
    hotSpots: topHotSpots([...fromNode.spots, ...fromPython.spots], HOT_SPOT_LIMIT),
    failure: failure && { run: failure.run, exitCode: failure.exitCode, outputTail: failure.outputTail },
  };
}

/** The compare mode: the project's files against a candidate change set, interleaved, same command and count. */
export async function comparePerformance(
  actor: Actor,
  projectId: number,
  candidate: CandidateChanges,
  opts: OptimizeOptions,
  settings: ExecutionSettings,
): Promise<CompareReport> {
  const command = await commandFor(actor, projectId, opts.command);
  const nonce = randomBytes(12).toString("hex");
  const script = buildScript({ mode: "compare", command, runs: opts.runs, nonce, candidate });
  if (Buffer.byteLength(script) > 60 * 1024) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      "the candidate change set is too large for a compare run (about 40 KiB of file content at most); compare a smaller change",
    );
  }
  const { execution, output } = await runScript(actor, projectId, script, nonce, opts, settings);
  const failure = failureOf(output);
  if (failure) {
    throw new AppError(
      "BAD_REQUEST",
      `the ${failure.side} exited with code ${failure.exitCode} in run ${failure.run}, so there is no speed to compare:\n${failure.outputTail}`,
      {
        executionId: execution.id,
      },
    );
  }
  const baseline = output.runs.filter((r) => r.side === "baseline").map((r) => r.wallMs);
  const candidateMs = output.runs.filter((r) => r.side === "candidate").map((r) => r.wallMs);
  return {
    command,
    executionId: execution.id,
    runs: Math.min(baseline.length, candidateMs.length),
    baseline: wallTime(baseline),
    candidate: wallTime(candidateMs),
    speedUp: speedUp(baseline, candidateMs),
    peakMemoryMb: execution.memoryUsedMb,
  };
}

export type OptimizeInput = { projectId: number; candidate?: CandidateChanges } & OptimizeOptions;

/** The procedure's one entry: profile, or compare when a candidate change set is given. */
export async function optimizePerformance(actor: Actor, input: OptimizeInput, settings: ExecutionSettings) {
  if (input.candidate) return { mode: "compare" as const, ...(await comparePerformance(actor, input.projectId, input.candidate, input, settings)) };
  return { mode: "profile" as const, ...(await profilePerformance(actor, input.projectId, input, settings)) };
}

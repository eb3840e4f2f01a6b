import type { Env } from "@/lib/env";
import { type AiPersonality, aiPersonalitySchema } from "@/lib/ai-personalities";
import type { Actor } from "@/server/auth/actor";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { getLogger } from "@/server/logging/logger";
import { type PreviewGateway, PreviewPortsExhausted } from "@/server/preview/preview-gateway";
import { previewUrl, refusedPortReason } from "@/server/preview/preview-settings";
import { type ProcessRecord, processRepository } from "@/server/repositories/process-repository";
import { currentPreviewSettings, getPreviewGateway } from "@/server/process/preview-runtime";
import type { ImageKind } from "@/server/sandbox/config";
import type { SandboxEngine, SandboxProcess } from "@/server/sandbox/engine";
import { type ProjectRecord, projectRepository } from "@/server/repositories/project-repository";
import { claimSandboxSlot } from "@/server/services/executions/sandbox-quota";
import { openPreviewSlot } from "./open-preview-slot";
import { requireProject } from "@/server/services/projects/project-access";
import { getRateLimits } from "@/server/process/rate-limits-runtime";
import { placeProject } from "@/server/services/cluster/lease-mover";
import { forwardProcess } from "@/server/services/cluster/forward-process";
import { probeThroughPeer } from "@/server/services/cluster/port-tunnel";
import { requireEngine } from "@/server/services/engine/running-engine";
import { recordDurably } from "@/server/services/records/durable-record";
import { currentServerInstance } from "@/server/services/records/server-instance";
import { getTemplate } from "@/server/templates/templates";
import { type LiveProcess, liveProcesses, liveProcessesOf } from "./live-processes";
import { outputForTransport } from "@/server/sandbox/byte-text";
import { ProcessOutput, type ProcessStatus } from "./process-output";
import { askOwner } from "@/server/services/cluster/ask-owner";

export interface ProcessView {
  id: number;
  projectId: number;
  command: string;
  port: number | null;
  status: ProcessStatus;
  exitCode: number | null;
  startedByAi: string | null;
  startedAt: Date;
  endedAt: Date | null;
  /** Where the owner sees the port served, while the process runs. */
  previewUrl: string | null;
}

export const MAX_COMMAND_LENGTH = 10_000;
const LISTED = 20;

export function processView(row: ProcessRecord): ProcessView {
  return {
    id: row.id,
    projectId: row.projectId,
    command: row.command,
    port: row.port,
    status: row.status as ProcessStatus,
    exitCode: row.exitCode,
    startedByAi: row.startedByAi,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    previewUrl: row.status === "running" && row.previewPort !== null ? previewUrl(currentPreviewSettings(), row.previewPort) : null,
  };
}

/** The process if the caller may see and control it (owner or admin); NOT_FOUND otherwise, as for a missing id. */
export async function requireProcess(user: AuthUser, processId: number): Promise<ProcessRecord> {
  const row = await processRepository.findById(processId);
  if (row) {
    try {
      await requireProject(user, row.projectId, "write");
      return row;
    } catch (err) {
      if (!(err instanceof AppError && err.code === "NOT_FOUND")) throw err;
    }
  }
  throw new AppError("NOT_FOUND", `Process ${processId} not found`);
}

/**
 * Starts a long-lived command (a dev server, an API) in the background of the project's
 * container and, with a port, opens its preview listener. Refused before anything runs: a bad
 * or denylisted port, a port another of the project's processes serves, too many processes, and
 * the same sandbox quota and rate limits as executions.
 */
/** The caps a start is checked against: the request's configuration, passed in where it entered. */
export type ProcessLimits = Pick<Env, "SANDBOX_MAX_PROCESSES_PER_PROJECT" | "SANDBOX_MAX_PROCESSES_PER_USER" | "SANDBOX_MAX_PREVIEWS_PER_USER">;

export async function startProcess(
  actor: Actor,
  projectId: number,
  input: { command: string; port: number | null },
  limits: ProcessLimits,
): Promise<ProcessView> {
  const { user, ai } = actor;
  const project = await requireProject(user, projectId, "write");
  const command = input.command.trim();
  if (!command) throw new AppError("BAD_REQUEST", "command must not be empty");
  if (command.length > MAX_COMMAND_LENGTH || command.includes("\0"))
    throw new AppError("BAD_REQUEST", `command must be at most ${MAX_COMMAND_LENGTH} characters, without NUL`);
  const { port } = input;
  if (port !== null) {
    const refused = refusedPortReason(port, currentPreviewSettings());
    if (refused) throw new AppError("BAD_REQUEST", refused);
  }
  const engine = requireEngine();
  const gateway = port === null ? null : getPreviewGateway();
  if (port !== null && !gateway) throw new AppError("UNAVAILABLE", "Previews are not served by this server process");

  const refused = projectCapRefusal(projectId, port, limits.SANDBOX_MAX_PROCESSES_PER_PROJECT);
  if (refused) throw new AppError("CONFLICT", refused);
  // Held from here until the process is registered (or failed): concurrent starts cannot pass the caps together.
  const slot = reserveProcessSlot(user.id, port !== null, limits);
  try {
    await claimSandboxSlot(user.id, project);
    await (await getRateLimits()).consumeExecution(String(user.id), String(projectId));
    // Replicas: the project's one container is here (or moved here from an idle owner), or the
    // owner is busy and starts the process itself (services/cluster/forward-process.ts).
    const placement = await placeProject(projectId);
    if (!placement.here) {
      const forwarded = { projectId, userId: user.id, command, image: imageOf(project), port, ai };
      return processView(await forwardProcess(forwarded, placement.owner, limits.SANDBOX_MAX_PROCESSES_PER_PROJECT));
    }
    try {
      const row = await recordStart(user.id, project, command, port, ai, currentServerInstance()?.id ?? null);
      return await launchProcess(user.id, project, row, ai, engine, gateway ?? null);
    } finally {
      placement.done();
    }
  } finally {
    slot();
  }
}

/** A reason the project cannot take one more process (same port served, too many), or null. */
function projectCapRefusal(projectId: number, port: number | null, max: number): string | null {
  const running = liveProcessesOf(projectId);
  const sameport = running.find((p) => port !== null && p.port === port);
  if (sameport) return `Process ${sameport.id} already serves port ${port}; stop it first`;
  if (running.length >= max) return `At most ${max} background processes per project (SANDBOX_MAX_PROCESSES_PER_PROJECT); stop one first`;
  return null;
}

const imageOf = (project: ProjectRecord): ImageKind => (project.templateType ? getTemplate(project.templateType).image : "node");

function recordStart(userId: number, project: ProjectRecord, command: string, port: number | null, ai: AiPersonality | null, instanceId: string | null) {
  return processRepository.start({ projectId: project.id, userId, command, image: imageOf(project), port, startedByAi: ai, instanceId });
}

/**
 * The owner's side of a forwarded start (`start-process`, services/cluster/forward-process.ts): the
 * peer admitted the caller (access, quotas, rate limits) and recorded the row naming this
 * instance; the project's own caps are checked here, where its processes run. True once the row
 * is settled (running, or failed with the reason in its output); false when this instance cannot
 * serve the project (it moved meanwhile) or the row is not a pending start.
 */
export async function startForwardedProcess(processId: number, projectId: number, maxPerProject: number): Promise<boolean> {
  const placement = await placeProject(projectId);
  if (!placement.here) return false;
  try {
    const [row, project] = await Promise.all([processRepository.findById(processId), projectRepository.findById(projectId)]);
    if (!row || row.userId === null || row.status !== "running" || row.projectId !== projectId || liveProcesses().has(row.id) || !project) return false;
    const refused = projectCapRefusal(projectId, row.port, maxPerProject);
    if (refused) {
      await processRepository.finish(row.id, { status: "failed", exitCode: null, output: `pantheon: ${refused}\n` });
      return true;
    }
    const gateway = row.port === null ? null : getPreviewGateway();
    await launchProcess(row.userId, project, row, aiPersonalitySchema.nullable().catch(null).parse(row.startedByAi), requireEngine(), gateway ?? null);
    return true;
  } catch (err) {
    // The peer reads the failure from the row (launchProcess already recorded a failed spawn;
    // finish leaves an ended row alone, so this only covers a failure before the spawn).
    getLogger().warn({ err, processId, projectId }, "forwarded background process failed to start");
    const message = err instanceof AppError ? err.message : "the process could not start";
    await processRepository.finish(processId, { status: "failed", exitCode: null, output: `pantheon: ${message}\n` }).catch(() => {});
    return true;
  } finally {
    placement.done();
  }
}

async function launchProcess(
  userId: number,
  project: ProjectRecord,
  row: ProcessRecord,
  ai: AiPersonality | null,
  engine: SandboxEngine,
  gateway: PreviewGateway | null,
): Promise<ProcessView> {
  const projectId = project.id;
  const { command, port } = row;
  const image = imageOf(project);
  let process: SandboxProcess;
  try {
    process = await engine.spawn(String(projectId), {
      image,
      argv: ["bash", "-c", command],
      // The project's network policy: a dev server may fetch packages like an execution can.
      network: project.networkPolicy,
      ...(port !== null ? { env: { PORT: String(port) } } : {}),
    });
  } catch (err) {
    const failure = fromSandboxError(err);
    await processRepository.finish(row.id, {
      status: "failed",
      exitCode: null,
      output: `pantheon: ${failure instanceof Error ? failure.message : "the process could not start"}\n`,
    });
    throw failure;
  }

  const output = new ProcessOutput();
  process.stdout.on("data", (chunk: Buffer) => output.append("stdout", chunk));
  process.stderr.on("data", (chunk: Buffer) => output.append("stderr", chunk));
  let settle!: () => void;
  const live: LiveProcess = {
    id: row.id,
    projectId,
    image,
    port,
    process,
    output,
    previewPort: null,
    stopping: false,
    userId,
    endReason: null,
    settled: new Promise((r) => (settle = r)),
  };
  liveProcesses().set(row.id, live);

  let current = row;
  if (port !== null && gateway) {
    try {
      const opened = await openPreviewSlot(gateway, { processId: row.id, projectId, port, image }, (slot) => processRepository.claimPreviewSlot(row.id, slot));
      live.previewPort = opened.slot;
      current = opened.row;
    } catch (err) {
      live.stopping = true;
      void process.exited.then(() => recordEnd(live).finally(settle));
      await process.kill();
      await live.settled;
      if (err instanceof PreviewPortsExhausted) throw new AppError("UNAVAILABLE", err.message);
      throw err;
    }
  }
  void process.exited.then(() => recordEnd(live).finally(settle));
  getLogger().info({ projectId, processId: row.id, port, previewPort: live.previewPort, userId, ai }, "background process started");
  return processView(current);
}

/** Processes and previews being started per user: counted with the running ones by the caps. */
const starting = new Map<number, { processes: number; previews: number }>();

/**
 * Takes a place under SANDBOX_MAX_PROCESSES_PER_USER (and SANDBOX_MAX_PREVIEWS_PER_USER for a
 * process with a port), across all the user's projects, or refuses with TOO_MANY_REQUESTS.
 * The returned function gives the place back once the process is registered or has failed.
 */
function reserveProcessSlot(userId: number, preview: boolean, env: ProcessLimits): () => void {
  const mine = [...liveProcesses().values()].filter((p) => p.userId === userId);
  const pending = starting.get(userId) ?? { processes: 0, previews: 0 };
  const processes = mine.length + pending.processes;
  if (processes >= env.SANDBOX_MAX_PROCESSES_PER_USER)
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `At most ${env.SANDBOX_MAX_PROCESSES_PER_USER} background processes per user across projects (SANDBOX_MAX_PROCESSES_PER_USER; you have ${processes}); stop one first`,
    );
  const previews = mine.filter((p) => p.port !== null).length + pending.previews;
  if (preview && previews >= env.SANDBOX_MAX_PREVIEWS_PER_USER)
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `At most ${env.SANDBOX_MAX_PREVIEWS_PER_USER} previews per user across projects (SANDBOX_MAX_PREVIEWS_PER_USER; you have ${previews}); stop one first`,
    );
  starting.set(userId, { processes: pending.processes + 1, previews: pending.previews + (preview ? 1 : 0) });
  let given = false;
  return () => {
    if (given) return;
    given = true;
    const now = starting.get(userId);
    if (!now) return;
    const left = { processes: now.processes - 1, previews: now.previews - (preview ? 1 : 0) };
    if (left.processes > 0) starting.set(userId, left);
    else starting.delete(userId);
  };
}

/** Closes the preview, records how the process ended and its last output, and forgets it. */
async function recordEnd(live: LiveProcess): Promise<void> {
  const { exitCode } = await live.process.exited;
  const status = live.stopping ? "stopped" : exitCode === 0 ? "exited" : "failed";
  if (live.endReason) live.output.append("stderr", `pantheon: ${live.endReason}\n`);
  else if (exitCode === null && !live.stopping)
    live.output.append("stderr", "pantheon: the process ended with its container (released, idle, or out of memory)\n");
  live.output.flush();
  try {
    if (live.previewPort !== null) await getPreviewGateway()?.close(live.previewPort);
    // Across a database outage the end waits for its recovery (the sweeper is the backstop).
    await recordDurably("a background process's end", () => processRepository.finish(live.id, { status, exitCode, output: live.output.text() }));
  } catch (err) {
    getLogger().warn({ processId: live.id, projectId: live.projectId, err }, "recording a background process's end failed");
  } finally {
    liveProcesses().delete(live.id);
    // Only now: a subscriber that sees the end can read the recorded row.
    live.output.end(status, exitCode);
  }
  getLogger().info({ processId: live.id, projectId: live.projectId, status, exitCode }, "background process ended");
}

/** The template's dev server (react-app, vue-app: Vite; node-api: the API), started in one call. */
export async function startDevServer(actor: Actor, projectId: number, limits: ProcessLimits): Promise<ProcessView> {
  const project = await requireProject(actor.user, projectId, "write");
  const template = project.templateType ? getTemplate(project.templateType) : null;
  if (!template?.commands.dev) {
    throw new AppError("BAD_REQUEST", "This project's template declares no dev server; start a process with a command and a port");
  }
  // No install step in front: the image provides what the template needs in any bound container.
  const { dev } = template.commands;
  return startProcess(actor, projectId, { command: dev.command, port: dev.port }, limits);
}

/** Stops a background process and everything it started; an ended process is returned as it is. */
export async function stopProcess(user: AuthUser, processId: number): Promise<ProcessView> {
  const row = await requireProcess(user, processId);
  // Running on another instance: its owner stops it and answers once the end is recorded.
  if (!(await stopLiveProcess(processId))) await askOwner(await processRepository.runningOn(processId), { type: "stop-process", processId });
  return processView((await processRepository.findById(processId)) ?? row);
}

/** Stops the process if it runs in this server (true), after its end is recorded. */
export async function stopLiveProcess(processId: number): Promise<boolean> {
  const live = liveProcesses().get(processId);
  if (!live) return false;
  live.stopping = true;
  await live.process.kill();
  await live.settled;
  return true;
}

export async function listProcesses(user: AuthUser, projectId: number): Promise<ProcessView[]> {
  await requireProject(user, projectId, "write");
  return (await processRepository.listForProject(projectId, LISTED)).map(processView);
}

/** One process with its output: live (what is kept in memory) while it runs, saved once it ended. */
export async function getProcess(user: AuthUser, processId: number): Promise<ProcessView & { output: string; outputBase64: string | null }> {
  await requireProcess(user, processId);
  const row = await processRepository.findWithOutput(processId);
  if (!row) throw new AppError("NOT_FOUND", `Process ${processId} not found`);
  const live = liveProcesses().get(processId);
  if (!live) return { ...processView(row), output: row.output, outputBase64: row.outputBase64 };
  const { text, base64 } = outputForTransport(live.output.text());
  return { ...processView(row), output: text, outputBase64: base64 };
}

/**
 * Whether the process's preview answers yet (the IDE shows "nothing listening on port N" until
 * it does). Not listening, with the reason, for a process that serves no port or has ended.
 */
export async function probePreview(user: AuthUser, processId: number): Promise<{ listening: boolean; detail: string | null }> {
  const row = await requireProcess(user, processId);
  const live = liveProcesses().get(processId);
  if (row.port === null) return { listening: false, detail: "this process serves no port" };
  // Replicas: a process running on another instance is probed there, through the preview's tunnel.
  const heldBy = !live && row.status === "running" && row.previewPort !== null ? await processRepository.runningOn(processId) : null;
  if (heldBy && heldBy !== currentServerInstance()?.id)
    return probeThroughPeer(heldBy, { processId, projectId: row.projectId, port: row.port, image: row.image as ImageKind });
  if (!live || live.previewPort === null) return { listening: false, detail: "the process is not running" };
  return (await getPreviewGateway()?.probe(live.previewPort)) ?? { listening: false, detail: "the preview is closed" };
}

/** Stops every background process of a project (before it is released or deleted). */
export async function stopProjectProcesses(projectId: number): Promise<void> {
  await Promise.all(
    liveProcessesOf(projectId).map(async (live) => {
      live.stopping = true;
      await live.process.kill();
      await live.settled;
    }),
  );
}

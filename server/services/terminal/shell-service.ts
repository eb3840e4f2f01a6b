import type { Env } from "@/lib/env";
import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import type { ProjectRecord } from "@/server/repositories/project-repository";
import type { SandboxProcess } from "@/server/sandbox/engine";
import { claimSandboxSlot } from "@/server/services/executions/sandbox-quota";
import { requireProject } from "@/server/services/projects/project-access";
import { placeProjectHere } from "@/server/services/cluster/lease-mover";
import { requireEngine } from "@/server/services/engine/running-engine";
import { getLogger } from "@/server/logging/logger";
import { getTemplate } from "@/server/templates/templates";
import { getShellRegistry } from "./shell-registry";

/** A login shell: bash where the image has it, sh otherwise. */
export const SHELL_ARGV = ["/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; fi; exec sh -l"];
const SHELL_ENV = { TERM: "xterm-256color", COLORTERM: "truecolor", LANG: "C.UTF-8", HOME: "/home/sandbox" };

export interface OpenShell {
  process: SandboxProcess;
  /** Gives the user's shell slot back (idempotent); the session calls it when the shell ends. */
  release: () => void;
  /** Whether the container the shell ran in is gone (released, died): tells a death from an exit. */
  containerGone: () => boolean;
  /** Saves files the shell changed (the file tree updates through the change feed); never throws. */
  syncFiles: () => Promise<void>;
}

/**
 * The project, if this user may open a shell in it: its owner only. An interactive shell is
 * someone typing in the container, so admins and readers of a public project are refused like a
 * stranger, with the same NOT_FOUND as a missing project (existence never leaks).
 */
export async function authorizeShell(user: AuthUser, projectId: number): Promise<ProjectRecord> {
  const notFound = new AppError("NOT_FOUND", `Project ${projectId} not found`);
  let project: ProjectRecord;
  try {
    project = await requireProject(user, projectId, "write");
  } catch {
    throw notFound;
  }
  if (project.userId !== user.id) throw notFound;
  return project;
}

/** The open-shell caps, from the configuration the shell route was built with (server/main.ts). */
export type ShellLimits = Pick<Env, "SANDBOX_SHELL_MAX_PER_PROJECT" | "SANDBOX_SHELL_MAX_PER_USER">;

/**
 * Starts an interactive login shell with a PTY in the project's container (loading its files
 * first if it has no container yet), as the sandbox user in /workspace. Refused with
 * TOO_MANY_REQUESTS past the per-user limits (shells, and running sandboxes when the project has
 * no container yet), UNAVAILABLE while the engine cannot serve.
 */
export async function startShell(
  user: AuthUser,
  project: ProjectRecord,
  size: { cols: number; rows: number },
  limits: ShellLimits,
  signal?: AbortSignal,
): Promise<OpenShell> {
  const release = getShellRegistry().reserve(user.id, project.id, {
    perProject: limits.SANDBOX_SHELL_MAX_PER_PROJECT,
    perUser: limits.SANDBOX_SHELL_MAX_PER_USER,
  });
  try {
    const engine = requireEngine();
    // A shell takes a container like an execution does: it counts towards the running-sandboxes quota.
    await claimSandboxSlot(user.id, project);
    const image = project.templateType ? getTemplate(project.templateType).image : "node";
    // Replicas: an idle owner elsewhere hands the project over; a busy one refuses (services/cluster).
    const placed = await placeProjectHere(project.id, "a shell");
    const process = await engine
      .spawn(String(project.id), {
        image,
        argv: SHELL_ARGV,
        tty: true,
        // An open shell keeps its container: it closes itself after SANDBOX_SHELL_IDLE_MS.
        holdsContainer: true,
        env: SHELL_ENV,
        ...size,
        // The project's network policy, as its executions get it (the proxy environment included).
        network: project.networkPolicy,
        ...(signal ? { signal } : {}),
      })
      .finally(placed);
    const projectKey = String(project.id);
    const containerId = engine.fleet.activeSandboxes().find((s) => s.projectId === projectKey)?.containerId ?? null;
    const containerGone = () => containerId === null || !engine.fleet.activeSandboxes().some((s) => s.containerId === containerId);
    const syncFiles = () =>
      engine.syncWorkspace(projectKey).then(
        () => undefined,
        (err: unknown) => getLogger().warn({ err, projectId: project.id }, "saving files changed in the shell failed"),
      );
    return { process, release, containerGone, syncFiles };
  } catch (e) {
    release();
    throw fromSandboxError(e);
  }
}

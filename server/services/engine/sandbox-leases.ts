import type { Logger } from "pino";
import { getAppRuntime } from "@/server/process/app-runtime";
import { projectRepository } from "@/server/repositories/project-repository";
import type { LeaseEvents } from "@/server/sandbox/pool";
import { noteContainerEnded } from "@/server/services/processes/live-processes";

/**
 * The engine's bind and release notices, recorded in the project's row: `container_id` names the
 * live container from its bind until its release, so the running-sandboxes quota counts every
 * container a user holds, whatever took it. Writes for one project run in order (a release never
 * overtakes its bind); a failed write is logged, and the boot reconciliation repairs what it missed.
 */
export function leaseRecorder(log: Logger): LeaseEvents & { settled: () => Promise<void> } {
  const chains = new Map<number, Promise<void>>();
  const inOrder = (projectId: number, what: string, write: () => Promise<void>) => {
    const next = (chains.get(projectId) ?? Promise.resolve())
      .then(write)
      .catch((err: unknown) => log.warn({ projectId, err: err instanceof Error ? err.message : err }, `recording a container ${what} failed`))
      .finally(() => {
        if (chains.get(projectId) === next) chains.delete(projectId);
      });
    chains.set(projectId, next);
  };
  // The engine names projects by string; ours are integer ids (engine tests use other names).
  const idOf = (projectId: string) => (/^\d{1,9}$/.test(projectId) ? Number(projectId) : null);
  return {
    /** Resolves once every write queued so far is done: the engine's stop awaits it before the database goes. */
    settled: async () => {
      while (chains.size) await Promise.all([...chains.values()]);
    },
    bound(projectId, containerId) {
      const id = idOf(projectId);
      if (id === null) return;
      // Replicas: the container belongs to the ownership this instance holds (services/cluster).
      getAppRuntime().projectOwnership?.containerBound(id, containerId);
      inOrder(id, "bind", () => projectRepository.recordContainer(id, containerId));
    },
    ended(projectId, containerId, reason) {
      const id = idOf(projectId);
      if (id === null) return;
      noteContainerEnded(id, reason);
      getAppRuntime().projectOwnership?.containerEnded(id, containerId);
      inOrder(id, "release", () => projectRepository.forgetContainer(id, containerId));
    },
  };
}

/** After a restart: rows naming containers that Docker no longer has are cleared (their holders are free again). */
export async function forgetVanishedContainers(alive: readonly string[], log: Logger): Promise<void> {
  const cleared = await projectRepository.forgetContainersOtherThan(alive);
  if (cleared) log.info({ cleared }, "forgot containers that no longer exist");
}

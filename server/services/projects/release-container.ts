import { projectRepository } from "@/server/repositories/project-repository";
import { getAppRuntime } from "@/server/process/app-runtime";
import { releaseOnOwner } from "@/server/services/cluster/lease-mover";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { stopProjectProcesses } from "@/server/services/processes/process-service";

/**
 * Destroys the project's container, if this process's engine holds one, and forgets it in the row.
 * Running executions are cancelled, and background processes marked as stopping (recorded as
 * "stopped", their previews closed), before the container is killed: nothing here waits for the
 * container to cooperate (its own processes may have frozen the engine's commands), so release,
 * delete and admin stop return promptly (the force path of deadline.ts).
 */
export async function releaseProjectContainer(projectId: number): Promise<void> {
  await releaseLocalContainer(projectId);
  // Replicas: the project's one container may be on another instance (services/cluster/SCALE.md).
  await releaseOnOwner(projectId);
}

/** releaseProjectContainer for this instance's engine only (also what an owner does when a peer forwards a release). */
export async function releaseLocalContainer(projectId: number): Promise<void> {
  getExecutionHub().cancelProject(projectId);
  // Marks every process as stopping at once; their kills fail fast once the container is gone.
  const processesStopped = stopProjectProcesses(projectId);
  await getAppRuntime().engine?.releaseProject(String(projectId));
  await processesStopped;
  await projectRepository.setContainer(projectId, null);
}

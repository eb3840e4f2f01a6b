import { projectRepository } from "@/server/repositories/project-repository";
import { getAppRuntime } from "@/server/runtime/app-runtime";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { stopProjectProcesses } from "@/server/services/processes/process-service";

/**
 * Destroys the project's container, if this process's engine holds one, and forgets it in the row.
 * Running executions are cancelled first: the engine would otherwise wait for them to finish.
 * Background processes are stopped (recorded as "stopped", their previews closed).
 */
export async function releaseProjectContainer(projectId: number): Promise<void> {
  getExecutionHub().cancelProject(projectId);
  await stopProjectProcesses(projectId);
  await getAppRuntime().engine?.releaseProject(String(projectId));
  await projectRepository.setContainer(projectId, null);
}

import { projectRepository } from "@/server/repositories/project-repository";
import { getAppRuntime } from "@/server/runtime/app-runtime";

/** Destroys the project's container, if this process's engine holds one, and forgets it in the row. */
export async function releaseProjectContainer(projectId: number): Promise<void> {
  await getAppRuntime().engine?.releaseProject(String(projectId));
  await projectRepository.setContainer(projectId, null);
}

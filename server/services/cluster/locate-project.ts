import { getAppRuntime } from "@/server/process/app-runtime";
import { projectLocationRepository } from "@/server/repositories/project-location-repository";
import { projectOwnerRepository } from "@/server/repositories/project-owner-repository";

/**
 * The instance that holds the project's live container, or null (serve it here): the ownership
 * lease's row (SCALE.md "Project ownership"). Without a row (no instance holds the project, or a
 * process outside a server), the records' guess: the instance running one of the project's
 * background processes, else here. A shell route forwards to the answer; a forward that cannot
 * reach it falls back to serving here, where the lease is taken over once the holder is dead.
 */
export async function locateProject(projectId: number): Promise<string | null> {
  const locate = getAppRuntime().locateProject;
  if (locate) return locate(projectId);
  const owner = await projectOwnerRepository.find(projectId);
  return owner?.instanceId ?? projectLocationRepository.processInstance(projectId);
}

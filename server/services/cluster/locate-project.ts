import { getAppRuntime } from "@/server/process/app-runtime";
import { projectLocationRepository } from "@/server/repositories/project-location-repository";

/**
 * The instance that holds the project's live container, or null (serve it here). The ownership
 * lease (SCALE.md "Project ownership") answers this once it is wired in through
 * `AppRuntime.locateProject`; until then the records' best guess: the instance running one of the
 * project's background processes (a shell opened there sees the dev server's files and ports),
 * else here.
 */
export function locateProject(projectId: number): Promise<string | null> {
  const locate = getAppRuntime().locateProject;
  return locate ? locate(projectId) : projectLocationRepository.processInstance(projectId);
}

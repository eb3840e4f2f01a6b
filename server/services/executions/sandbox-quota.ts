import type { ProjectRecord } from "@/server/repositories/project-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { getRateLimits } from "@/server/process/rate-limits-runtime";

/**
 * "At most N sandboxes running at once per user", counting every container the user holds,
 * whatever took it (an execution, a background process, a shell, a preview). The row of a
 * project names its live container from the engine's bind notice until the binding ends
 * (services/sandbox-leases.ts), and who took it: the user is recorded here, before the engine
 * acquires one, and charged for it until it is released. Counted from the database so every app
 * instance sees the same number. Using a project that already holds its container never counts
 * as "another" (and keeps the holder that took it).
 */
export async function claimSandboxSlot(userId: number, project: ProjectRecord): Promise<void> {
  if (project.containerId !== null) return;
  const running = await projectRepository.countHeldBy(userId, project.id);
  (await getRateLimits()).assertCanRunAnotherSandbox(running);
  await projectRepository.claimHolder(project.id, userId);
}

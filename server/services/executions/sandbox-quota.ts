import { getEnv } from "@/lib/env";
import type { ProjectRecord } from "@/server/repositories/project-repository";
import { projectRepository } from "@/server/repositories/project-repository";
import { getRateLimits } from "@/server/services/rate-limits-access";

/**
 * "At most N sandboxes running at once per user". A project holds a sandbox while its row names
 * a container used within SANDBOX_MAX_IDLE_TIME (the engine's idle sweep releases it after
 * that; releasing or deleting clears the row). Counted from the database so every app instance
 * sees the same number. Running a project that already holds its container never counts as "another".
 */
export async function assertSandboxSlot(userId: number, project: ProjectRecord): Promise<void> {
  const since = new Date(Date.now() - getEnv().SANDBOX_MAX_IDLE_TIME);
  const holdsOne = project.containerId !== null && project.lastAccessedAt !== null && project.lastAccessedAt >= since;
  if (holdsOne) return;
  const running = await projectRepository.countHoldingContainer(userId, since, project.id);
  (await getRateLimits()).assertCanRunAnotherSandbox(running);
}

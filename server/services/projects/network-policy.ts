import { projectRepository } from "@/server/repositories/project-repository";
import type { NetworkPolicy } from "@/server/sandbox/egress";

/**
 * The policy the egress proxy applies to a connection from this project's container, read at
 * each connection so a change applies at once. Unknown or deleted projects reach nothing.
 */
export async function projectNetworkPolicy(projectId: string): Promise<NetworkPolicy> {
  const id = Number(projectId);
  if (!Number.isSafeInteger(id) || id <= 0) return "none";
  return (await projectRepository.findNetworkPolicy(id)) ?? "none";
}

import { getPrisma } from "@/server/db/client";

export interface SandboxOwnerRow {
  projectId: number;
  projectName: string;
  ownerId: number;
  ownerEmail: string;
  /** The AI that created the project (null: a person). */
  createdByAi: string | null;
  /** The AI of the project's latest execution (null: a person, or no execution yet). */
  lastRunByAi: string | null;
}

export const sandboxOwnerRepository = {
  /** Who owns each project with a live container, for the admin page (one query). */
  async describe(projectIds: readonly number[]): Promise<SandboxOwnerRow[]> {
    if (!projectIds.length) return [];
    const rows = await getPrisma().sandboxProject.findMany({
      where: { id: { in: [...projectIds] } },
      select: {
        id: true,
        name: true,
        createdByAi: true,
        user: { select: { id: true, email: true } },
        executions: { select: { executedByAi: true }, orderBy: { executedAt: "desc" }, take: 1 },
      },
    });
    return rows.map((r) => ({
      projectId: r.id,
      projectName: r.name,
      ownerId: r.user.id,
      ownerEmail: r.user.email,
      createdByAi: r.createdByAi,
      lastRunByAi: r.executions[0]?.executedByAi ?? null,
    }));
  },
};

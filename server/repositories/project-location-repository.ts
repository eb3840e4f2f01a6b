import { getPrisma } from "@/server/db/client";

/** Where a project's sandbox is, as far as the records tell (until the ownership lease says it: SCALE.md). */
export const projectLocationRepository = {
  /** The instance running a background process of the project (it holds the project's container), newest first; null when none runs. */
  async processInstance(projectId: number): Promise<string | null> {
    const row = await getPrisma().sandboxProcess.findFirst({
      where: { projectId, status: "running", instanceId: { not: null } },
      orderBy: { id: "desc" },
      select: { instanceId: true },
    });
    return row?.instanceId ?? null;
  },
};

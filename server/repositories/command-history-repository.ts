import { getPrisma } from "@/server/db/client";

export const commandHistoryRepository = {
  /** The newest `take` commands of this user in this project, oldest first (the order Up walks back through). */
  async list(userId: number, projectId: number, take: number): Promise<string[]> {
    const rows = await getPrisma().commandHistoryEntry.findMany({
      where: { userId, projectId },
      orderBy: { id: "desc" },
      take,
      select: { command: true },
    });
    return rows.map((r) => r.command).reverse();
  },

  latest(userId: number, projectId: number): Promise<string | null> {
    return getPrisma()
      .commandHistoryEntry.findFirst({ where: { userId, projectId }, orderBy: { id: "desc" }, select: { command: true } })
      .then((row) => row?.command ?? null);
  },

  /** Appends a command and deletes what falls beyond the newest `keep`, in one transaction. */
  async append(userId: number, projectId: number, command: string, keep: number): Promise<void> {
    await getPrisma().$transaction(async (tx) => {
      await tx.commandHistoryEntry.create({ data: { userId, projectId, command }, select: { id: true } });
      const oldestKept = await tx.commandHistoryEntry.findFirst({
        where: { userId, projectId },
        orderBy: { id: "desc" },
        skip: keep - 1,
        select: { id: true },
      });
      if (oldestKept) await tx.commandHistoryEntry.deleteMany({ where: { userId, projectId, id: { lt: oldestKept.id } } });
    });
  },

  async clear(userId: number, projectId: number): Promise<number> {
    const { count } = await getPrisma().commandHistoryEntry.deleteMany({ where: { userId, projectId } });
    return count;
  },
};

import { getPrisma } from "@/server/db/client";

export interface ServerInstanceRow {
  id: string;
  host: string;
  pid: number;
  heartbeatAt: Date;
}

export const serverInstanceRepository = {
  /** Registers this process (or refreshes its heartbeat). */
  async beat(instance: { id: string; host: string; pid: number }, now: Date): Promise<void> {
    await getPrisma().serverInstance.upsert({
      where: { id: instance.id },
      create: { ...instance, startedAt: now, heartbeatAt: now },
      update: { heartbeatAt: now },
      select: { id: true },
    });
  },

  find(ids: string[]): Promise<ServerInstanceRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return getPrisma().serverInstance.findMany({ where: { id: { in: ids } }, select: { id: true, host: true, pid: true, heartbeatAt: true } });
  },

  /** Instances that beat since `since` (alive as far as the heartbeats tell). */
  async beatSince(since: Date): Promise<string[]> {
    const rows = await getPrisma().serverInstance.findMany({ where: { heartbeatAt: { gte: since } }, select: { id: true } });
    return rows.map((r) => r.id);
  },

  /** A clean shutdown: its rows are swept at once by the next instance, not after the heartbeat goes stale. */
  async remove(id: string): Promise<void> {
    await getPrisma().serverInstance.deleteMany({ where: { id } });
  },

  /** Instances silent since `before` with no row left to sweep are forgotten. */
  async forgetSilentSince(before: Date): Promise<number> {
    const { count } = await getPrisma().serverInstance.deleteMany({ where: { heartbeatAt: { lt: before } } });
    return count;
  },
};

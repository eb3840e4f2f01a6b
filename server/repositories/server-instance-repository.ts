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

  /**
   * The heartbeat on the database's clock (one clock for every instance; project ownership and the
   * sweeper judge staleness on it). Returns the database's now and the beat this one replaced:
   * null when the row was gone (first beat, or removed), so the caller can tell it was silent.
   */
  async beatOnDatabaseClock(instance: { id: string; host: string; pid: number }): Promise<{ now: Date; previous: Date | null }> {
    const [row] = await getPrisma().$queryRaw<{ now: Date; previous: Date | null }[]>`
      WITH prev AS (SELECT heartbeat_at FROM server_instances WHERE id = ${instance.id}),
      up AS (
        INSERT INTO server_instances (id, host, pid, started_at, heartbeat_at)
        VALUES (${instance.id}, ${instance.host}, ${instance.pid}::int, timezone('UTC', now()), timezone('UTC', now()))
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
        RETURNING heartbeat_at
      )
      SELECT (SELECT heartbeat_at FROM up) AS now, (SELECT heartbeat_at FROM prev) AS previous`;
    if (!row) throw new Error("heartbeat: no row returned");
    return row;
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

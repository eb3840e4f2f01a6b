import { getPrisma } from "@/server/db/client";

/** Who holds a project: the instance and the epoch of its acquisition (a fresh number each time the row changes hands). */
export interface ProjectOwnerRow {
  projectId: number;
  instanceId: string;
  epoch: number;
}

/** The outcome of one acquire: ours (with the epoch), another live instance's, or refused because our own heartbeat is stale. */
export type AcquireOutcome = { kind: "acquired"; epoch: number } | { kind: "held-by"; instanceId: string; epoch: number } | { kind: "self-stale" };

// Every judgement of "alive" here is made on the database's clock (now()), one clock for every
// instance: heartbeats are written with it too (server-instance-repository.beat), so two hosts
// whose clocks disagree cannot see each other dead early. Columns are timestamps without time
// zone holding UTC (Prisma's convention), hence timezone('UTC', now()).

export const projectOwnerRepository = {
  /**
   * Takes the project for `instanceId` in one statement: inserted when nobody holds it, taken over
   * when its holder is dead (no server_instances row, or a heartbeat older than `staleAfterMs`),
   * kept (same epoch) when it is ours already. Of two instances racing, the primary key lets one
   * insert; the other's ON CONFLICT sees a live holder and changes nothing. An instance whose own
   * heartbeat is stale acquires nothing: peers may be removing its containers (it is fenced).
   */
  async acquire(projectId: number, instanceId: string, staleAfterMs: number): Promise<AcquireOutcome> {
    const secs = staleAfterMs / 1000;
    for (let attempt = 0; ; attempt++) {
      const [row] = await getPrisma().$queryRaw<{ fresh: boolean; epoch: bigint | null }[]>`
        WITH me AS (
          SELECT EXISTS (SELECT 1 FROM server_instances WHERE id = ${instanceId} AND heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${secs}::float8)) AS fresh
        ), taken AS (
          INSERT INTO project_owners (project_id, instance_id)
          SELECT ${projectId}::int, ${instanceId}::varchar FROM me WHERE me.fresh
          ON CONFLICT (project_id) DO UPDATE
            SET instance_id = EXCLUDED.instance_id,
                epoch = CASE WHEN project_owners.instance_id = EXCLUDED.instance_id THEN project_owners.epoch ELSE EXCLUDED.epoch END,
                acquired_at = CASE WHEN project_owners.instance_id = EXCLUDED.instance_id THEN project_owners.acquired_at ELSE EXCLUDED.acquired_at END
            WHERE project_owners.instance_id = EXCLUDED.instance_id
               OR NOT EXISTS (
                 SELECT 1 FROM server_instances s
                 WHERE s.id = project_owners.instance_id AND s.heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${secs}::float8))
          RETURNING epoch
        )
        SELECT me.fresh, t.epoch FROM me LEFT JOIN taken t ON true`;
      if (row?.epoch != null) return { kind: "acquired", epoch: Number(row.epoch) };
      if (!row?.fresh) return { kind: "self-stale" };
      // A live holder kept it. Read in a statement of its own: this one's snapshot predates a
      // racing instance's insert that our ON CONFLICT waited for.
      const holder = await this.find(projectId);
      if (holder) return { kind: "held-by", instanceId: holder.instanceId, epoch: holder.epoch };
      // Released in between: try again (bounded; a project given up and taken back this fast is contention, not a loop).
      if (attempt >= 5) throw new Error(`the ownership of project ${projectId} kept changing hands; try again`);
    }
  },

  /** Gives the project up if this acquisition still holds it (a later owner's row is never touched). */
  async release(projectId: number, instanceId: string, epoch: number): Promise<boolean> {
    const { count } = await getPrisma().projectOwner.deleteMany({ where: { projectId, instanceId, epoch: BigInt(epoch) } });
    return count > 0;
  },

  /** Gives the project up whatever the epoch, if this instance holds it. */
  async releaseAny(projectId: number, instanceId: string): Promise<boolean> {
    const { count } = await getPrisma().projectOwner.deleteMany({ where: { projectId, instanceId } });
    return count > 0;
  },

  /** Every project an instance holds, as the database says. */
  async heldBy(instanceId: string): Promise<ProjectOwnerRow[]> {
    const rows = await getPrisma().projectOwner.findMany({ where: { instanceId }, select: { projectId: true, instanceId: true, epoch: true } });
    return rows.map((r) => ({ ...r, epoch: Number(r.epoch) }));
  },

  async find(projectId: number): Promise<ProjectOwnerRow | null> {
    const row = await getPrisma().projectOwner.findUnique({ where: { projectId }, select: { projectId: true, instanceId: true, epoch: true } });
    return row && { ...row, epoch: Number(row.epoch) };
  },

  /** A clean shutdown: the next instance need not wait for the heartbeat to go stale. */
  async releaseAll(instanceId: string): Promise<number> {
    const { count } = await getPrisma().projectOwner.deleteMany({ where: { instanceId } });
    return count;
  },
};

import { getPrisma, type Prisma } from "@/server/db/client";

const listed = { id: true, rule: true, subject: true, value: true, peak: true, threshold: true, message: true, raisedAt: true, resolvedAt: true } as const;
export type AlertRecord = Prisma.AlertGetPayload<{ select: typeof listed }>;

export const alertRepository = {
  raise(data: { rule: string; subject: string; value: number; threshold: number; message: string; raisedAt: Date }): Promise<AlertRecord> {
    return getPrisma().alert.create({ data: { ...data, peak: data.value }, select: listed });
  },

  /** Closes the open alert for this rule and subject; returns how many rows changed (0 or 1). */
  async resolve(data: { rule: string; subject: string; peak: number; resolvedAt: Date }): Promise<number> {
    const { count } = await getPrisma().alert.updateMany({
      where: { rule: data.rule, subject: data.subject, resolvedAt: null },
      data: { resolvedAt: data.resolvedAt, peak: data.peak },
    });
    return count;
  },

  listOpen(): Promise<AlertRecord[]> {
    return getPrisma().alert.findMany({ where: { resolvedAt: null }, select: listed, orderBy: { raisedAt: "desc" } });
  },

  /** Open and resolved alerts raised since `since`, newest first, bounded. */
  listRecent(since: Date, limit = 100): Promise<AlertRecord[]> {
    return getPrisma().alert.findMany({ where: { raisedAt: { gte: since } }, select: listed, orderBy: { raisedAt: "desc" }, take: Math.min(limit, 500) });
  },

  /** Retention: deletes resolved alerts older than `before`; open ones stay. */
  async deleteResolvedBefore(before: Date): Promise<number> {
    const { count } = await getPrisma().alert.deleteMany({ where: { resolvedAt: { not: null, lt: before } } });
    return count;
  },
};

import { getPrisma } from "@/server/db/client";

/** An execution or background process row with no end recorded yet. */
export interface OpenExecutionRow {
  id: number;
  instanceId: string | null;
  executedAt: Date;
  deadlineAt: Date | null;
}

export interface OpenProcessRow {
  id: number;
  instanceId: string | null;
  startedAt: Date;
}

/** PostgreSQL text holds no NUL (stored output is already free of it; this is for reasons). */
const clean = (text: string) => text.replaceAll("\u0000", "\uFFFD");

export const recordSweepRepository = {
  openExecutions(): Promise<OpenExecutionRow[]> {
    return getPrisma().sandboxExecution.findMany({
      where: { finishedAt: null },
      select: { id: true, instanceId: true, executedAt: true, deadlineAt: true },
      orderBy: { id: "asc" },
      take: 1000,
    });
  },

  openProcesses(): Promise<OpenProcessRow[]> {
    return getPrisma().sandboxProcess.findMany({
      where: { status: "running" },
      select: { id: true, instanceId: true, startedAt: true },
      orderBy: { id: "asc" },
      take: 1000,
    });
  },

  /**
   * Ends an execution as interrupted, once: a row that reached its end meanwhile is left alone
   * (its own result wins). The reason is appended to what was stored of its error output.
   */
  async interruptExecution(id: number, reason: string, now: Date): Promise<boolean> {
    const prisma = getPrisma();
    const row = await prisma.sandboxExecution.findUnique({ where: { id }, select: { errorOutput: true, executedAt: true, finishedAt: true } });
    if (!row || row.finishedAt) return false;
    const { count } = await prisma.sandboxExecution.updateMany({
      where: { id, finishedAt: null },
      data: {
        status: "error",
        statusReason: "interrupted",
        finishedAt: now,
        errorOutput: (row.errorOutput ?? "") + clean(`pantheon: interrupted: ${reason}\n`),
        executionTimeMs: Math.max(0, now.getTime() - row.executedAt.getTime()),
      },
    });
    return count > 0;
  },

  /** Ends a background process as failed with the reason in its output, once. */
  async interruptProcess(id: number, reason: string, now: Date): Promise<boolean> {
    const prisma = getPrisma();
    const row = await prisma.sandboxProcess.findUnique({ where: { id }, select: { output: true, status: true } });
    if (!row || row.status !== "running") return false;
    const { count } = await prisma.sandboxProcess.updateMany({
      where: { id, status: "running" },
      data: { status: "failed", previewPort: null, endedAt: now, output: row.output + clean(`pantheon: interrupted: ${reason}\n`) },
    });
    return count > 0;
  },
};

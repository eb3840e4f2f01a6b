import { getPrisma, type Prisma } from "@/server/db/client";

const executionFields = {
  id: true,
  projectId: true,
  userId: true,
  executedCode: true,
  language: true,
  executionType: true,
  output: true,
  errorOutput: true,
  outputTruncated: true,
  exitCode: true,
  executionTimeMs: true,
  memoryUsedMb: true,
  cpuUsagePercent: true,
  status: true,
  statusReason: true,
  executedByAi: true,
  executedAt: true,
  finishedAt: true,
  skippedFiles: true,
  listeningPorts: true,
} as const;

export type ExecutionRecord = Prisma.SandboxExecutionGetPayload<{ select: typeof executionFields }>;

const { output: _output, errorOutput: _errorOutput, skippedFiles: _skippedFiles, listeningPorts: _listeningPorts, ...summaryFields } = executionFields;
/** A row without its (possibly large) output columns. */
export type ExecutionSummary = Prisma.SandboxExecutionGetPayload<{ select: typeof summaryFields }>;

export interface ExecutionOutcome {
  output: string;
  errorOutput: string;
  outputTruncated: boolean;
  exitCode: number | null;
  executionTimeMs: number;
  memoryUsedMb: number | null;
  cpuUsagePercent: number | null;
  status: string;
  statusReason: string | null;
  /** Files the program left that were not saved (absent or empty: none). */
  skippedFiles?: { path: string; reason: string; detail: string | null }[];
  /** TCP ports the program was serving while it ran (absent: none). */
  listeningPorts?: number[];
}

/** PostgreSQL text holds no NUL: a program's NUL bytes are stored as U+FFFD (its live stream keeps them). */
function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

export const executionRepository = {
  /** The row exists from the start (status null = running), so a crash mid-run leaves a trace. */
  start(data: {
    projectId: number;
    userId: number | null;
    executedCode: string;
    language: string | null;
    executionType: string;
    executedByAi: string | null;
    /** For the record sweeper: who runs it, and when a row still running is certainly abandoned. */
    instanceId?: string | null;
    deadlineAt?: Date | null;
  }): Promise<ExecutionRecord> {
    return getPrisma().sandboxExecution.create({ data, select: executionFields });
  },

  finish(id: number, outcome: ExecutionOutcome): Promise<ExecutionRecord> {
    const { skippedFiles, ...fields } = outcome;
    const rest = { ...fields, output: storableText(fields.output), errorOutput: storableText(fields.errorOutput) };
    return getPrisma().sandboxExecution.update({
      where: { id },
      data: { ...rest, ...(skippedFiles?.length ? { skippedFiles } : {}), finishedAt: new Date() },
      select: executionFields,
    });
  },

  findById(id: number): Promise<ExecutionRecord | null> {
    return getPrisma().sandboxExecution.findUnique({ where: { id }, select: executionFields });
  },

  latestForProject(projectId: number): Promise<ExecutionRecord | null> {
    return getPrisma().sandboxExecution.findFirst({ where: { projectId }, orderBy: { id: "desc" }, select: executionFields });
  },

  /** Newest first, without the (possibly large) output columns. */
  listForProject(projectId: number, take: number, beforeId?: number): Promise<ExecutionSummary[]> {
    return getPrisma().sandboxExecution.findMany({
      where: { projectId, ...(beforeId ? { id: { lt: beforeId } } : {}) },
      orderBy: { id: "desc" },
      take,
      select: summaryFields,
    });
  },

  findSummaryById(id: number): Promise<ExecutionSummary | null> {
    return getPrisma().sandboxExecution.findUnique({ where: { id }, select: summaryFields });
  },

  /** Oldest first: the project's executions after `afterId` (a feed resuming), or those still running. */
  listForFeed(projectId: number, opts: { afterId: number } | { running: true }, take: number): Promise<ExecutionSummary[]> {
    return getPrisma().sandboxExecution.findMany({
      where: { projectId, ...("afterId" in opts ? { id: { gt: opts.afterId } } : { finishedAt: null }) },
      orderBy: { id: "asc" },
      take,
      select: summaryFields,
    });
  },

  latestFailed(projectId: number): Promise<ExecutionRecord | null> {
    return getPrisma().sandboxExecution.findFirst({
      where: { projectId, status: { in: ["error", "timeout"] } },
      orderBy: { id: "desc" },
      select: executionFields,
    });
  },

  recent(projectId: number, take: number): Promise<ExecutionRecord[]> {
    return getPrisma().sandboxExecution.findMany({ where: { projectId }, orderBy: { id: "desc" }, take, select: executionFields });
  },
};

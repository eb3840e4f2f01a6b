import { getPrisma, type Prisma } from "@/server/db/client";
import { directQuery, utcTimestamp } from "@/server/db/direct-query";
import { readStoredOutput, storedOutput } from "./stored-output";

const executionFields = {
  id: true,
  projectId: true,
  userId: true,
  executedCode: true,
  language: true,
  executionType: true,
  output: true,
  errorOutput: true,
  outputBytes: true,
  errorOutputBytes: true,
  outputTruncated: true,
  outputTruncation: true,
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

type ExecutionRow = Prisma.SandboxExecutionGetPayload<{ select: typeof executionFields }>;

/** executionFields as SQL, for the statements sent without Prisma (its columns, under its field names). */
const EXECUTION_COLUMNS = Object.keys(executionFields)
  .map((field) => `${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} AS "${field}"`)
  .join(", ");

/**
 * A row as the API shows it. `output` / `errorOutput` are text (invalid UTF-8 shown as U+FFFD, NUL
 * kept); `outputBase64` / `errorOutputBase64` hold the exact bytes, in base64, only when the text
 * is not them (null: the text is exact).
 */
export type ExecutionRecord = Omit<ExecutionRow, "outputBytes" | "errorOutputBytes"> & {
  outputBase64: string | null;
  errorOutputBase64: string | null;
};

function toRecord(row: ExecutionRow): ExecutionRecord {
  const { outputBytes, errorOutputBytes, ...rest } = row;
  const output = readStoredOutput(row.output, outputBytes);
  const errorOutput = readStoredOutput(row.errorOutput, errorOutputBytes);
  return { ...rest, output: output.text, outputBase64: output.base64, errorOutput: errorOutput.text, errorOutputBase64: errorOutput.base64 };
}

const {
  output: _output,
  errorOutput: _errorOutput,
  outputBytes: _outputBytes,
  errorOutputBytes: _errorOutputBytes,
  skippedFiles: _skippedFiles,
  listeningPorts: _listeningPorts,
  outputTruncation: _outputTruncation,
  ...summaryFields
} = executionFields;
/** A row without its (possibly large) output columns. */
export type ExecutionSummary = Prisma.SandboxExecutionGetPayload<{ select: typeof summaryFields }>;

export interface ExecutionOutcome {
  /** The engine's byte-exact text (server/sandbox/byte-text.ts): stored exactly, whatever it holds. */
  output: string;
  errorOutput: string;
  outputTruncated: boolean;
  /** What the cap cut and where its marker lines are (absent or null: nothing cut). */
  outputTruncation?: Prisma.InputJsonObject | null;
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

/** The outcome of a run that ended before its program ran (the engine or the instance holding the project failed it): `errorOutput` says why. */
export function notRunOutcome(errorOutput: string): ExecutionOutcome {
  return {
    output: "",
    errorOutput,
    outputTruncated: false,
    exitCode: null,
    executionTimeMs: 0,
    memoryUsedMb: null,
    cpuUsagePercent: null,
    status: "error",
    statusReason: null,
  };
}

export const executionRepository = {
  /** The row exists from the start (status null = running), so a crash mid-run leaves a trace. */
  async start(data: {
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
    // Committed with the WAL flushed, like the result's update below. It was once committed
    // without waiting, on the view that the result's flushed update would flush it too; but a
    // PostgreSQL kill -9 in between lost the row while the run went on, and its result then had no
    // row to land in (a 500 in scripts/chaos.ts). A crash of the app leaves the row (the sweeper
    // ends it). Sent without Prisma's client (server/db/direct-query.ts), as the result's update.
    const rows = await directQuery<{ id: number; executed_at: Date }>(
      `INSERT INTO sandbox_executions (project_id, user_id, executed_code, language, execution_type, executed_by_ai, instance_id, deadline_at)
       VALUES ($1::int, $2::int, $3::text, $4::varchar, $5::varchar, $6::varchar, $7::varchar, $8::timestamp)
       RETURNING id, executed_at`,
      [
        data.projectId,
        data.userId,
        data.executedCode,
        data.language,
        data.executionType,
        data.executedByAi,
        data.instanceId ?? null,
        utcTimestamp(data.deadlineAt),
      ],
    );
    const row = rows[0];
    if (!row) throw new Error("the execution row was not inserted");
    return {
      id: row.id,
      projectId: data.projectId,
      userId: data.userId,
      executedCode: data.executedCode,
      language: data.language,
      executionType: data.executionType,
      output: null,
      errorOutput: null,
      outputBase64: null,
      errorOutputBase64: null,
      outputTruncated: false,
      outputTruncation: null,
      exitCode: null,
      executionTimeMs: null,
      memoryUsedMb: null,
      cpuUsagePercent: null,
      status: null,
      statusReason: null,
      executedByAi: data.executedByAi,
      executedAt: row.executed_at,
      finishedAt: null,
      skippedFiles: null,
      listeningPorts: [],
    };
  },

  /**
   * The result, in one UPDATE … RETURNING sent without Prisma's client (server/db/direct-query.ts):
   * Prisma's `update` cost ~1 ms of CPU more per execution. Skipped files, the truncation and the
   * listening ports are written only when there are some (the row starts without them).
   */
  async finish(id: number, outcome: ExecutionOutcome): Promise<ExecutionRecord> {
    const output = storedOutput(outcome.output);
    const errorOutput = storedOutput(outcome.errorOutput);
    const rows = await directQuery<ExecutionRow>(
      `UPDATE sandbox_executions SET
         output = $2, output_bytes = $3, error_output = $4, error_output_bytes = $5, output_truncated = $6,
         exit_code = $7, execution_time_ms = $8, memory_used_mb = $9, cpu_usage_percent = $10, status = $11, status_reason = $12,
         skipped_files = COALESCE($13::jsonb, skipped_files), output_truncation = COALESCE($14::jsonb, output_truncation),
         listening_ports = COALESCE($15::int[], listening_ports), finished_at = $16::timestamp
       WHERE id = $1
       RETURNING ${EXECUTION_COLUMNS}`,
      [
        id,
        output.text,
        output.bytes && Buffer.from(output.bytes),
        errorOutput.text,
        errorOutput.bytes && Buffer.from(errorOutput.bytes),
        outcome.outputTruncated,
        outcome.exitCode,
        outcome.executionTimeMs,
        outcome.memoryUsedMb,
        outcome.cpuUsagePercent,
        outcome.status,
        outcome.statusReason,
        outcome.skippedFiles?.length ? JSON.stringify(outcome.skippedFiles) : null,
        outcome.outputTruncation ? JSON.stringify(outcome.outputTruncation) : null,
        outcome.listeningPorts ?? null,
        utcTimestamp(new Date()),
      ],
    );
    const row = rows[0];
    // Prisma's update threw P2025 for a missing row; the same error, said plainly.
    if (!row) throw new Error(`execution ${id} was not found to record its result`);
    return toRecord(row);
  },

  /** The server instance running the execution; null when it has finished (or predates instance records). */
  async runningOn(id: number): Promise<string | null> {
    const row = await getPrisma().sandboxExecution.findUnique({ where: { id }, select: { instanceId: true, finishedAt: true } });
    return row && row.finishedAt === null ? row.instanceId : null;
  },

  async findById(id: number): Promise<ExecutionRecord | null> {
    const row = await getPrisma().sandboxExecution.findUnique({ where: { id }, select: executionFields });
    return row && toRecord(row);
  },

  async latestForProject(projectId: number): Promise<ExecutionRecord | null> {
    const row = await getPrisma().sandboxExecution.findFirst({ where: { projectId }, orderBy: { id: "desc" }, select: executionFields });
    return row && toRecord(row);
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

  async latestFailed(projectId: number): Promise<ExecutionRecord | null> {
    const row = await getPrisma().sandboxExecution.findFirst({
      where: { projectId, status: { in: ["error", "timeout"] } },
      orderBy: { id: "desc" },
      select: executionFields,
    });
    return row && toRecord(row);
  },

  async recent(projectId: number, take: number): Promise<ExecutionRecord[]> {
    const rows = await getPrisma().sandboxExecution.findMany({ where: { projectId }, orderBy: { id: "desc" }, take, select: executionFields });
    return rows.map(toRecord);
  },
};

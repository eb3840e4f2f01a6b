import { z } from "zod";
import { NETWORK_POLICIES } from "@/server/sandbox/egress";

export const projectDto = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().nullable(),
  userId: z.number(),
  createdByAi: z.string().nullable(),
  templateType: z.string().nullable(),
  isPublic: z.boolean(),
  /** What the project's sandbox may reach: none, registry (package registries), open (admins set it). */
  networkPolicy: z.enum(NETWORK_POLICIES),
  status: z.string(),
  lastAccessedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const fileMetaDto = z.object({
  /**
   * The file's path: its name as text, or for a name that is not valid UTF-8 its escaped path
   * (each invalid byte as \xHH, e.g. "\\xff.bin"); either way the key to read, write or delete it.
   */
  filePath: z.string(),
  /** The exact bytes of a name that is not valid UTF-8, in base64; null when filePath is the name itself. */
  pathBase64: z.string().nullable(),
  fileType: z.string().nullable(),
  sizeBytes: z.number(),
  encoding: z.string(),
  /** SHA-256 (hex) of the file's bytes: send it back as baseVersion so a write never overwrites a change it did not see. */
  version: z.string(),
  isEntryPoint: z.boolean(),
  isExecutable: z.boolean(),
  createdByAi: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const fileDto = fileMetaDto.extend({ content: z.string().nullable() });

export const executionSummaryDto = z.object({
  id: z.number(),
  projectId: z.number(),
  userId: z.number().nullable(),
  executedCode: z.string().nullable(),
  language: z.string().nullable(),
  executionType: z.string().nullable(),
  exitCode: z.number().nullable(),
  executionTimeMs: z.number().nullable(),
  memoryUsedMb: z.number().nullable(),
  cpuUsagePercent: z.number().nullable(),
  outputTruncated: z.boolean(),
  status: z.string().nullable(),
  statusReason: z.string().nullable(),
  executedByAi: z.string().nullable(),
  executedAt: z.date(),
  finishedAt: z.date().nullable(),
});

export const skippedFileDto = z.object({ path: z.string(), reason: z.string(), detail: z.string().nullable() });

/** The stored JSON column (null: none) as a list; a row written before the column existed reads as []. */
const skippedFilesColumn = z.unknown().transform((value) =>
  z
    .array(skippedFileDto)
    .catch([])
    .parse(value ?? []),
);

/**
 * What the output cap cut from one stream. Offsets and lengths are in the stream's exact bytes
 * (outputBase64's, or the UTF-8 of output when that is null): removing the `inserted` ranges (the
 * cap's own notice and "cut" lines) leaves the program's first keptHeadBytes, then keptTailBytes
 * from nearer its end. A line the program printed that looks like a marker is not in `inserted`.
 */
export const streamTruncationDto = z.object({
  keptHeadBytes: z.number().int(),
  keptTailBytes: z.number().int(),
  droppedBytes: z.number().int(),
  droppedLines: z.number().int(),
  inserted: z.array(z.object({ offset: z.number().int(), length: z.number().int() })),
});
export const outputTruncationDto = z.object({ stdout: streamTruncationDto.nullable(), stderr: streamTruncationDto.nullable() });

/** The stored JSON column; null when nothing was cut, or for a row written before the column existed. */
const outputTruncationColumn = z.unknown().transform((value) =>
  outputTruncationDto
    .nullable()
    .catch(null)
    .parse(value ?? null),
);

/** Exact bytes in base64 beside a text that is not them (invalid UTF-8); null: the text is exact. */
const exactBytes = z.string().nullable();

export const executionDto = executionSummaryDto.extend({
  /** stdout as text: UTF-8 with invalid bytes as U+FFFD, NUL kept. outputBase64 holds the exact bytes when this is not them. */
  output: z.string().nullable(),
  errorOutput: z.string().nullable(),
  outputBase64: exactBytes,
  errorOutputBase64: exactBytes,
  /** Per stream, what the output cap cut and where its marker lines are (null: nothing cut). */
  outputTruncation: outputTruncationColumn,
  /** Files the program left in /workspace that were not saved, and why (e.g. a name that is not UTF-8). */
  skippedFiles: skippedFilesColumn,
  /**
   * TCP ports the program was serving while it ran. A server started as a run ends at its time
   * limit: start it as a background process (processes.start {command, port}) to keep it with a preview.
   */
  listeningPorts: z.array(z.number().int()),
});

export const diagnosticDto = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number().nullable(),
  message: z.string(),
  kind: z.enum(["typescript", "node", "python"]),
  severity: z.enum(["error", "warning"]),
});

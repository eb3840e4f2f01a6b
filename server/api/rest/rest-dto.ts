import type { z } from "zod";
import { outputTruncationDto, skippedFileDto, type streamTruncationDto } from "@/server/api/schemas/dto.schema";
import type { ExecutionRecord } from "@/server/repositories/execution-repository";
import type { FileMeta, FileRecord } from "@/server/repositories/file-repository";
import type { ProjectRecord } from "@/server/repositories/project-repository";
import type { ProcessView } from "@/server/services/processes/process-service";
import type { executionResponse, fileContentResponse, fileResponse, processResponse, projectResponse } from "./rest-responses.schema";

// The seed's snake_case field names (sandbox_* columns) for the REST endpoints, typed by the
// response schemas the OpenAPI document is generated from.

export function projectJson(p: ProjectRecord): z.input<typeof projectResponse> {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    user_id: p.userId,
    created_by_ai: p.createdByAi,
    template_type: p.templateType,
    is_public: p.isPublic,
    status: p.status,
    last_accessed_at: p.lastAccessedAt,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function fileJson(f: FileMeta): z.input<typeof fileResponse> {
  return {
    path: f.filePath,
    path_base64: f.pathBase64,
    file_type: f.fileType,
    size_bytes: f.sizeBytes,
    encoding: f.encoding,
    version: f.version,
    is_entry_point: f.isEntryPoint,
    is_executable: f.isExecutable,
    created_by_ai: f.createdByAi,
    created_at: f.createdAt,
    updated_at: f.updatedAt,
  };
}

export function fileContentJson(f: FileRecord): z.input<typeof fileContentResponse> {
  return { ...fileJson(f), content: f.content ?? "" };
}

/** The stored cap record in the API's snake_case (null: nothing cut, or a row from before it was kept). */
function outputTruncationJson(value: unknown): z.input<typeof executionResponse>["output_truncation"] {
  const t = outputTruncationDto
    .nullable()
    .catch(null)
    .parse(value ?? null);
  const stream = (s: z.infer<typeof streamTruncationDto> | null) =>
    s && {
      kept_head_bytes: s.keptHeadBytes,
      kept_tail_bytes: s.keptTailBytes,
      dropped_bytes: s.droppedBytes,
      dropped_lines: s.droppedLines,
      inserted: s.inserted,
    };
  return t && { stdout: stream(t.stdout), stderr: stream(t.stderr) };
}

function skippedFilesJson(value: unknown) {
  return skippedFileDto
    .array()
    .catch([])
    .parse(value ?? []);
}

export function executionJson(e: ExecutionRecord): z.input<typeof executionResponse> {
  return {
    id: e.id,
    project_id: e.projectId,
    status: e.status ?? "running",
    status_reason: e.statusReason,
    exit_code: e.exitCode,
    output: e.output,
    error_output: e.errorOutput,
    output_base64: e.outputBase64,
    error_output_base64: e.errorOutputBase64,
    output_truncated: e.outputTruncated,
    output_truncation: outputTruncationJson(e.outputTruncation),
    execution_time_ms: e.executionTimeMs,
    memory_used_mb: e.memoryUsedMb,
    cpu_usage_percent: e.cpuUsagePercent,
    execution_type: e.executionType,
    executed_code: e.executedCode,
    executed_by_ai: e.executedByAi,
    executed_at: e.executedAt,
    finished_at: e.finishedAt,
    /** Files the program left that were not saved: [{path, reason, detail}] (a name that is not UTF-8, a symlink...). */
    skipped_files: skippedFilesJson(e.skippedFiles),
    listening_ports: e.listeningPorts,
  };
}

export function processJson(p: ProcessView): z.input<typeof processResponse> {
  return {
    id: p.id,
    project_id: p.projectId,
    command: p.command,
    port: p.port,
    status: p.status,
    exit_code: p.exitCode,
    started_by_ai: p.startedByAi,
    started_at: p.startedAt,
    ended_at: p.endedAt,
    preview_url: p.previewUrl,
  };
}

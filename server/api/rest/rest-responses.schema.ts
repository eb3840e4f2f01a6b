import { z } from "zod";
import { skippedFileDto } from "@/server/api/schemas/dto.schema";

// The REST responses' shapes. rest-dto.ts builds each body typed as the input of these schemas,
// so a field renamed or retyped there fails to compile; the OpenAPI document
// (server/api/openapi/openapi-document.ts) renders their output side, which is the JSON on the wire.

/** A Date in, its ISO string on the wire (what Response.json writes). */
const timestamp = z
  .date()
  .transform((d) => d.toISOString())
  .pipe(z.iso.datetime({ offset: true }));
const nullableTimestamp = timestamp.nullable();
const aiName = z.string().nullable().meta({ description: "The AI personality (geppo, c24, gemini, llama, mistral), or null for a person" });

export const projectResponse = z
  .strictObject({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    user_id: z.number().int(),
    created_by_ai: aiName,
    template_type: z.string().nullable(),
    is_public: z.boolean(),
    status: z.string(),
    last_accessed_at: nullableTimestamp,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Project" });

export const projectListResponse = z.strictObject({ projects: z.array(projectResponse), total: z.number().int() }).meta({ id: "ProjectList" });

export const fileResponse = z
  .strictObject({
    path: z.string().meta({
      description:
        'The file\'s path, the key to read, write or delete it: the name as text, or for a name that is not valid UTF-8 its escaped path (each byte that is not part of valid UTF-8 as \\xHH, two lowercase hex digits, e.g. "\\xff.bin" for the name 0xFF ".bin"; a UTF-8 name never holds a backslash, so the two never collide). URL-encode it in a URL.',
    }),
    path_base64: z
      .string()
      .nullable()
      .meta({ description: "The exact bytes of a name that is not valid UTF-8, in base64; null when path is the name itself (UTF-8)" }),
    file_type: z.string().nullable(),
    size_bytes: z.number().int(),
    encoding: z.string().meta({ description: "utf8 or base64" }),
    version: z.string().meta({
      description:
        "SHA-256 (hex) of the file's bytes. Send it as base_version when writing the file, so the write is refused (409) if someone changed it since.",
    }),
    is_entry_point: z.boolean(),
    is_executable: z.boolean(),
    created_by_ai: aiName,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "File" });

export const fileContentResponse = fileResponse
  .extend({
    content: z.string().meta({ description: "The file's content: text as is when encoding is utf8, the bytes in base64 when encoding is base64" }),
  })
  .meta({ id: "FileContent" });

export const fileListResponse = z.strictObject({ files: z.array(fileResponse) }).meta({ id: "FileList" });

const streamTruncationResponse = z
  .strictObject({
    kept_head_bytes: z.number().int().meta({ description: "The program's first bytes kept, before the cap's first line" }),
    kept_tail_bytes: z.number().int().meta({ description: "The program's bytes kept after it (its last bytes, up to the tail budget)" }),
    dropped_bytes: z.number().int(),
    dropped_lines: z.number().int().meta({ description: "Line ends among the dropped bytes" }),
    inserted: z.array(z.strictObject({ offset: z.number().int(), length: z.number().int() })).meta({
      description:
        "Where the cap's own lines (the notice and the [pantheon: … cut] markers) sit in the stream's exact bytes: remove them to get only the program's bytes. A line the program printed that looks like a marker is not listed",
    }),
  })
  .meta({ id: "StreamTruncation" });

const outputTruncationResponse = z.strictObject({ stdout: streamTruncationResponse.nullable(), stderr: streamTruncationResponse.nullable() }).nullable().meta({
  id: "OutputTruncation",
  description:
    "What the output cap cut (each stream keeps its head and its tail, about 1 MiB each by default), per stream; offsets are in the exact bytes (output_base64's, or the UTF-8 of output when that is null). null: nothing was cut",
});

export const executionResponse = z
  .strictObject({
    id: z.number().int(),
    project_id: z.number().int(),
    status: z.string().meta({ description: '"running" until it ends; then success, error or timeout (status_reason says why)' }),
    status_reason: z.string().nullable(),
    exit_code: z.number().int().nullable(),
    output: z.string().nullable().meta({ description: "stdout as text: UTF-8, with invalid bytes shown as U+FFFD (NUL is kept, JSON-escaped)" }),
    error_output: z.string().nullable().meta({ description: "stderr as text, as output" }),
    output_base64: z
      .string()
      .nullable()
      .meta({ description: "The exact bytes of stdout, base64, when output is not them (the program wrote invalid UTF-8); null: output is exact" }),
    error_output_base64: z
      .string()
      .nullable()
      .meta({ description: "The exact bytes of stderr, base64, when error_output is not them; null: error_output is exact" }),
    output_truncated: z.boolean(),
    output_truncation: outputTruncationResponse,
    execution_time_ms: z.number().int().nullable(),
    memory_used_mb: z.number().nullable(),
    cpu_usage_percent: z.number().nullable(),
    execution_type: z.string().nullable(),
    executed_code: z.string().nullable(),
    executed_by_ai: aiName,
    executed_at: timestamp,
    finished_at: nullableTimestamp,
    skipped_files: z
      .array(skippedFileDto)
      .meta({ description: "Files the program left that were not saved, and why (a name that is not UTF-8, a symlink, too large)" }),
    listening_ports: z.array(z.number().int()).meta({
      description:
        "TCP ports the program was serving while it ran. A run ends at its time limit (SANDBOX_DEFAULT_TIMEOUT, 30 s by default): start a server with POST …/processes {command, port} instead, to keep it running with a preview_url",
    }),
  })
  .meta({ id: "Execution" });

export const processResponse = z
  .strictObject({
    id: z.number().int(),
    project_id: z.number().int(),
    command: z.string(),
    port: z.number().int().nullable(),
    status: z.enum(["running", "exited", "failed", "stopped"]),
    exit_code: z.number().int().nullable(),
    started_by_ai: aiName,
    started_at: timestamp,
    ended_at: nullableTimestamp,
    preview_url: z.string().nullable().meta({ description: "Where the owner sees the port served, while the process runs" }),
  })
  .meta({ id: "Process" });

export const processListResponse = z.strictObject({ processes: z.array(processResponse) }).meta({ id: "ProcessList" });
export const processWithOutputResponse = processResponse
  .extend({
    output: z.string().meta({ description: "The last 64 KiB of its output, as text (invalid UTF-8 shown as U+FFFD, NUL kept)" }),
    output_base64: z
      .string()
      .nullable()
      .meta({ description: "The exact bytes of output, base64, when output is not them (invalid UTF-8); null: output is exact" }),
  })
  .meta({ id: "ProcessWithOutput" });

export const cancelledResponse = z
  .strictObject({
    cancelled: z
      .boolean()
      .meta({ description: "true: the run was running (here or on another instance) and is ending as cancelled; false: it had already ended" }),
  })
  .meta({ id: "Cancelled" });

export const releasedResponse = z.strictObject({ released: z.literal(true) }).meta({ id: "Released" });

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({
        description:
          "BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, CONFLICT, PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, UNAVAILABLE, TIMEOUT, INTERNAL…",
      }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      request_id: z.string().optional().meta({ description: "On every 5xx: quote it when reporting a problem; the server's log line carries it" }),
      conflicts: z
        .array(z.object({ path: z.string(), base_version: z.string().nullable(), current_version: z.string().nullable() }))
        .optional()
        .meta({
          description:
            "On a 409 from a write with base_version: each file whose stored version is not the base, with its current version (null: it no longer exists). Nothing was written.",
        }),
    }),
  })
  .meta({ id: "Error" });

const partStatus = <T extends z.ZodType>(status: T) => z.looseObject({ status });
export const healthResponse = z
  .looseObject({
    status: z.enum(["ok", "degraded"]),
    database: partStatus(z.enum(["up", "down"])),
    docker: partStatus(z.enum(["up", "unavailable"])),
    engine: z.object({ state: z.string() }).nullable().optional(),
  })
  .meta({
    id: "Health",
    description: "Anyone: the up/down of each part. Admins and the metrics token: versions, posture, pool and the last engine error too.",
  });

import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { createProjectBody, executeBody, fileContentQuery, listProjectsQuery, startProcessBody, writeFileBody } from "@/server/api/rest/rest-schemas";
import {
  errorBody,
  executionResponse,
  fileContentResponse,
  fileListResponse,
  fileResponse,
  healthResponse,
  processListResponse,
  processResponse,
  processWithOutputResponse,
  projectListResponse,
  projectResponse,
  releasedResponse,
  cancelledResponse,
} from "@/server/api/rest/rest-responses.schema";
import {
  checkpointDetailResponse,
  checkpointListResponse,
  listCheckpointsQuery,
  restoreCheckpointBody,
  restoreResponse,
  verifiedChangeSetBody,
  verifiedChangeSetResponse,
} from "@/server/api/rest/rest-checkpoints.schema";
import { optimizeBody, optimizeResponse } from "@/server/api/rest/rest-optimize.schema";

// OpenAPI 3.1 for every REST route, built by zod-openapi from the very schemas the routes parse
// bodies with and type their responses by. Served at /api/openapi.json, rendered at /api-docs;
// server/api/openapi/openapi.int.test.ts checks every route file is in it and real responses
// validate against it.

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const error = (description: string) => ({ description, ...json(errorBody) });

/** The refusals every authenticated route may answer. */
const authErrors: ZodOpenApiResponsesObject = {
  "401": error("No session and no valid `Authorization: Bearer <api key>`"),
  "403": error("The key lacks the scope, or a cross-site request without a key"),
  "429": error("A rate limit; `Retry-After` says when to try again"),
  "500": error("An internal failure: the message is generic, `request_id` finds the log line"),
  "503": error("The sandbox engine is unavailable (Docker down, at capacity, container lost); `Retry-After` says when to try again"),
  default: error("Any other refusal (409 conflict, 504 timeout…), in the same shape"),
};
const bodyErrors: ZodOpenApiResponsesObject = {
  "400": error("The body failed validation; `issues` names each field"),
  "413": error("The body is above SANDBOX_MAX_BODY_BYTES"),
  "415": error("A body sent with a session cookie must be application/json"),
};
const notFound: ZodOpenApiResponsesObject = { "404": error("No such project (or process) of yours: another user's answers the same") };

const projectPath = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .meta({ description: "Project id" }),
});
const checkpointPath = projectPath.extend({
  checkpointId: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .meta({ description: "Checkpoint id" }),
});
const verifiedChangeSet = (operationId: string, summary: string) =>
  op({
    operationId,
    summary,
    description:
      "Applies the change set (write / delete / move) atomically as one checkpoint, runs `verify` (default: the template's test command) through the ordinary execution path, and if it fails or times out returns every file to its exact state before (bytes and execute bits, in the database and the live container), recorded as a rollback checkpoint; a file someone else saved while the verification ran keeps their version. Bad paths, a path named twice, a file over SANDBOX_MAX_FILE_SIZE: refused before anything is written. A write may carry `base_version` (as a file write does): if any such file changed since, 409 with `error.conflicts`, nothing written and nothing run.",
    scope: "projects:write + executions:run",
    requestParams: { path: projectPath },
    requestBody: json(verifiedChangeSetBody),
    responses: {
      "200": { description: "Applied, or rolled back, with the verification's result", ...json(verifiedChangeSetResponse) },
      ...bodyErrors,
      ...authErrors,
      ...notFound,
      "409": error("A write's `base_version` is not the stored version: `error.conflicts` lists the current ones; nothing was written or run"),
    },
  });
const processPath = projectPath.extend({
  processId: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .meta({ description: "Process id" }),
});

const executionPath = projectPath.extend({
  executionId: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .meta({ description: "Execution id (the `id` of POST …/execute or GET …/output)" }),
});

function op(o: ZodOpenApiOperationObject & { scope?: string }): ZodOpenApiOperationObject {
  const { scope, ...rest } = o;
  return {
    ...rest,
    ...(scope ? { security: [{ apiKey: [] }, { session: [] }], description: `${rest.description ?? ""}\n\nAPI keys need the \`${scope}\` scope.`.trim() } : {}),
  };
}

export function buildOpenApiDocument(version: string) {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Pantheon Sandbox REST API",
      version,
      description:
        "The REST endpoints for Pantheon's chat service and scripts (snake_case). The same services answer the tRPC API at /api/trpc, used by the app itself. Authenticate with `Authorization: Bearer psk_…`.\n\n" +
        "Every refusal is JSON in the `Error` shape (`{ error: { code, message } }`), on every path under /api/: a path no route serves answers 404 `NOT_FOUND` whatever the method; a method a path does not serve answers 405 `METHOD_NOT_ALLOWED` with an `Allow` header, and OPTIONS answers 204 with the same `Allow`. " +
        "Bodies, and the query parameters of files/content and checkpoints, are strict: an unknown field is refused with 400 and the snake_case field it likely meant (`isEntryPoint`: did you mean `is_entry_point`?; `timeoutMs: 30000`: did you mean `timeout`, in seconds: 30). A limit above its ceiling is refused, never clamped, and the message states the configured ceiling (e.g. SANDBOX_MAX_TIMEOUT).",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An API key (`psk_…`), minted in the app or by `npm run admin -- create-api-key`" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The app's session cookie (same origin only)" },
      },
    },
    paths: {
      "/api/sandbox/projects": {
        get: op({
          operationId: "listProjects",
          summary: "Your projects, newest first",
          scope: "projects:read",
          requestParams: { query: listProjectsQuery },
          responses: { "200": { description: "Up to 100 projects", ...json(projectListResponse) }, ...authErrors },
        }),
        post: op({
          operationId: "createProject",
          summary: "Create a project, from a template or empty",
          scope: "projects:write",
          requestBody: json(createProjectBody),
          responses: { "201": { description: "The new project", ...json(projectResponse) }, ...bodyErrors, ...authErrors, ...notFound },
        }),
      },
      "/api/sandbox/projects/{id}/files": {
        get: op({
          operationId: "listFiles",
          summary: "The project's file tree",
          scope: "projects:read",
          requestParams: { path: projectPath },
          responses: { "200": { description: "Every file, without content", ...json(fileListResponse) }, ...authErrors, ...notFound },
        }),
        post: op({
          operationId: "writeFile",
          summary: "Create or overwrite a file",
          description:
            "Without `base_version` the file is created or overwritten, whatever is stored. With `base_version` (the `version` of the file as you read or last wrote it) " +
            "it is written only if the stored file still has that version, so no one's change is lost: otherwise 409, nothing written, and `error.conflicts` gives the " +
            "current version (null: the file no longer exists). Read it again and redo your change, or send the current version to overwrite on purpose. " +
            "`base_version: null` creates only (409 if the file exists). Writing the bytes already stored always succeeds.",
          scope: "projects:write",
          requestParams: { path: projectPath },
          requestBody: json(writeFileBody),
          responses: {
            "201": { description: "The file written, with its new `version`", ...json(fileResponse) },
            ...bodyErrors,
            ...authErrors,
            ...notFound,
            "409": error("`base_version` is not the stored version: `error.conflicts` lists the current one; nothing was written"),
          },
        }),
      },
      "/api/sandbox/projects/{id}/files/content": {
        get: op({
          operationId: "readFile",
          summary: "One file's content",
          description:
            "JSON by default: the file's metadata with `content`, as text when `encoding` is `utf8` and in base64 when it is `base64` (binary files). " +
            "The raw bytes instead, with the file's media type, when `Accept` prefers `application/octet-stream` or the file's own type (`image/png`, `image/*`, `text/plain`) over `application/json`; " +
            "raw answers are attachments with `X-Content-Type-Options: nosniff` and a sandboxing CSP. Files are at most SANDBOX_MAX_FILE_SIZE bytes; `max_bytes` refuses larger ones with 413.",
          scope: "projects:read",
          requestParams: { path: projectPath, query: fileContentQuery },
          responses: {
            "200": {
              description: "The file",
              content: {
                "application/json": { schema: fileContentResponse },
                "application/octet-stream": {
                  schema: z.string().meta({ format: "binary", description: "The raw bytes (served with the file's own media type)" }),
                },
              },
            },
            "400": error("No path, a path outside the project (`..`, absolute), or an unknown query parameter"),
            "413": error("The file is larger than `max_bytes`"),
            ...authErrors,
            "404": error("No such project of yours, or no such file in it"),
          },
        }),
      },
      "/api/sandbox/projects/{id}/execute": {
        post: op({
          operationId: "execute",
          summary: "Run a command (or a snippet) in the project's container",
          description:
            "Waits and answers with the finished execution; with `Accept: text/event-stream` streams it instead as server-sent events (`stdout`, `stderr`, then `exit` or `error`). Output is any bytes a program writes: `output` / `error_output` are text (invalid UTF-8 shown as U+FFFD, NUL kept, JSON-escaped) and `output_base64` / `error_output_base64` the exact bytes when the text is not them (null: the text is exact). A `stdout` / `stderr` event is `{seq, type, data}` plus `dataBase64` (the chunk's exact bytes) when `data` is not them; the events' bytes concatenated are the stored output.",
          scope: "executions:run",
          requestParams: { path: projectPath },
          requestBody: json(executeBody),
          responses: {
            "200": {
              description: "The finished execution (or its event stream)",
              content: { "application/json": { schema: executionResponse }, "text/event-stream": { schema: z.string() } },
            },
            ...bodyErrors,
            ...authErrors,
            ...notFound,
            "504": error("The sandbox did not answer in time"),
          },
        }),
      },
      "/api/sandbox/projects/{id}/refactor": {
        post: verifiedChangeSet("refactorCode", "refactor_code: a verified change set, rolled back if the verification fails"),
      },
      "/api/sandbox/projects/{id}/features": {
        post: verifiedChangeSet("addFeature", "add_feature: a verified change set, rolled back if the verification fails"),
      },
      "/api/sandbox/projects/{id}/optimize": {
        post: op({
          operationId: "optimizePerformance",
          summary: "optimize_performance: profile a command's hot spots, or time a candidate change set against the project",
          description:
            "Runs `command` (default: the template's test command) `runs` times in one execution, every Node process under `--cpu-prof` and every Python process under cProfile, " +
            "and answers the hot spots (function, file, line, self and total time per run in ms and as a share, Python call counts, V8 sample hits), wall time per run (median, min, max) " +
            "and the execution's peak memory. A run that exits non-zero ends profiling with a partial report (`failure`). With `candidate` (writes / deletes) it compares instead: " +
            "the candidate is applied to a copy of the workspace in the sandbox's /tmp, both sides run interleaved without the profiler, and `speed_up` is the ratio of medians " +
            "with a 95% bootstrap interval. The project's files are never changed.",
          scope: "executions:run",
          requestParams: { path: projectPath },
          requestBody: json(optimizeBody),
          responses: {
            "200": { description: "The profile (`mode: profile`) or the comparison (`mode: compare`)", ...json(optimizeResponse) },
            "400": error(
              "The body failed validation (`issues` names each field), the project has no template and no `command` was given, a profile run ended before any run completed, or a compared side exited non-zero",
            ),
            "413": error("The body is above SANDBOX_MAX_BODY_BYTES, the profiles exceeded the output cap, or the candidate is too large for a compare run"),
            "415": error("A body sent with a session cookie must be application/json"),
            ...authErrors,
            ...notFound,
            "504": error("The command outlived `timeout` (for all runs together)"),
          },
        }),
      },
      "/api/sandbox/projects/{id}/checkpoints": {
        get: op({
          operationId: "listCheckpoints",
          summary: "The project's checkpoints (every change set), newest first",
          scope: "projects:read",
          requestParams: {
            path: projectPath,
            query: listCheckpointsQuery,
          },
          responses: {
            "200": { description: "Who, when, what, which files", ...json(checkpointListResponse) },
            "400": error("A bad `limit` or `before_id`, or an unknown parameter"),
            ...authErrors,
            ...notFound,
          },
        }),
      },
      "/api/sandbox/projects/{id}/checkpoints/{checkpointId}": {
        get: op({
          operationId: "getCheckpoint",
          summary: "One checkpoint with each file's before, after and unified diff",
          scope: "projects:read",
          requestParams: { path: checkpointPath },
          responses: { "200": { description: "The checkpoint and its diffs", ...json(checkpointDetailResponse) }, ...authErrors, ...notFound },
        }),
      },
      "/api/sandbox/projects/{id}/checkpoints/{checkpointId}/restore": {
        post: op({
          operationId: "restoreCheckpoint",
          summary: "Return the files to their state just after a checkpoint (itself a checkpoint, so it can be undone)",
          scope: "projects:write",
          requestParams: { path: checkpointPath },
          requestBody: { required: false, ...json(restoreCheckpointBody) },
          responses: {
            "200": { description: "What was written and deleted, and the restore's checkpoint", ...json(restoreResponse) },
            ...bodyErrors,
            ...authErrors,
            ...notFound,
          },
        }),
      },
      "/api/sandbox/projects/{id}/output": {
        get: op({
          operationId: "latestOutput",
          summary: "The latest execution's output and status",
          scope: "projects:read",
          requestParams: { path: projectPath },
          responses: {
            "200": { description: "The latest execution; status is running until it ends", ...json(executionResponse) },
            ...authErrors,
            ...notFound,
          },
        }),
      },
      "/api/sandbox/projects/{id}/release": {
        post: op({
          operationId: "releaseProject",
          summary: "Release the project's container now (files are kept)",
          scope: "projects:write",
          requestParams: { path: projectPath },
          responses: { "200": { description: "Released", ...json(releasedResponse) }, ...authErrors, ...notFound },
        }),
      },
      "/api/sandbox/projects/{id}/executions/{executionId}/cancel": {
        post: op({
          operationId: "cancelExecution",
          summary: "Cancel a running execution, on whichever instance runs it",
          scope: "executions:run",
          requestParams: { path: executionPath },
          responses: { "200": { description: "Whether it was cancelled", ...json(cancelledResponse) }, ...authErrors, ...notFound },
        }),
      },
      "/api/sandbox/projects/{id}/processes": {
        get: op({
          operationId: "listProcesses",
          summary: "The project's background processes",
          scope: "projects:read",
          requestParams: { path: projectPath },
          responses: { "200": { description: "With preview_url while running", ...json(processListResponse) }, ...authErrors, ...notFound },
        }),
        post: op({
          operationId: "startProcess",
          summary: "Start a background process ({command, port}), or the template's dev server ({})",
          scope: "executions:run",
          requestParams: { path: projectPath },
          requestBody: json(startProcessBody),
          responses: { "201": { description: "The process, with its preview_url", ...json(processResponse) }, ...bodyErrors, ...authErrors, ...notFound },
        }),
      },
      "/api/sandbox/projects/{id}/processes/{processId}": {
        get: op({
          operationId: "getProcess",
          summary: "One process with its recent output",
          scope: "projects:read",
          requestParams: { path: processPath },
          responses: { "200": { description: "The process", ...json(processWithOutputResponse) }, ...authErrors, ...notFound },
        }),
        delete: op({
          operationId: "stopProcess",
          summary: "Stop the process and its children; its preview closes",
          scope: "executions:run",
          requestParams: { path: processPath },
          responses: { "200": { description: "The stopped process", ...json(processResponse) }, ...authErrors, ...notFound },
        }),
      },
      "/api/health": {
        get: {
          operationId: "health",
          summary: "Whether the database, Docker and the sandbox engine are up",
          description: "200 while the database answers, 503 otherwise. Anonymous callers get only up/down; admins and `SANDBOX_METRICS_TOKEN` the full report.",
          responses: {
            "200": { description: "Serving", ...json(healthResponse) },
            "503": { description: "The database does not answer", ...json(healthResponse) },
          },
        },
      },
      "/api/metrics": {
        get: {
          operationId: "metrics",
          summary: "Prometheus exposition (admins, or `Bearer $SANDBOX_METRICS_TOKEN`)",
          responses: {
            "200": { description: "Prometheus text format", content: { "text/plain": { schema: z.string() } } },
            "404": { description: "Anyone else: the same as a missing page", content: { "text/plain": { schema: z.string() } } },
          },
        },
      },
      "/api/editor-types/node": {
        get: {
          operationId: "editorTypesNode",
          summary: "Node's type definitions for the IDE's editor (public npm typings, no session needed)",
          responses: { "200": { description: "File name → .d.ts text", ...json(z.record(z.string(), z.string())) } },
        },
      },
      "/api/editor-types/react": {
        get: {
          operationId: "editorTypesReact",
          summary: "React's and react-dom's type definitions for the IDE's editor (the sandbox image's versions; no session needed)",
          responses: { "200": { description: "File name → .d.ts text", ...json(z.record(z.string(), z.string())) } },
        },
      },
      "/api/editor-types/vue": {
        get: {
          operationId: "editorTypesVue",
          summary: "Vue's type definitions for the IDE's editor (the sandbox image's version; no session needed)",
          responses: { "200": { description: "File name → .d.ts text", ...json(z.record(z.string(), z.string())) } },
        },
      },
      "/api/openapi.json": {
        get: {
          operationId: "openapi",
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1", ...json(z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) })) } },
        },
      },
    },
  });
}

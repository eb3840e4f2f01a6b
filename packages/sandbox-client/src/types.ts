import type { components, operations } from "./openapi.js";

// Names for the shapes of the REST API, taken from the types generated from its OpenAPI document
// (openapi.ts): the wire's own snake_case fields, nothing renamed.

type Schemas = components["schemas"];
type JsonBody<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: { "application/json": infer Body } } } ? Body : never;
type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;

export type Project = Schemas["Project"];
export type ProjectList = Schemas["ProjectList"];
export type SandboxFile = Schemas["File"];
export type FileContent = Schemas["FileContent"];
export type Execution = Schemas["Execution"];
export type SandboxProcess = Schemas["Process"];
export type ProcessWithOutput = Schemas["ProcessWithOutput"];
export type ErrorBody = Schemas["Error"];
export type VerifiedChangeSet = Schemas["VerifiedChangeSet"];
export type Checkpoint = Schemas["Checkpoint"];
export type CheckpointList = Schemas["CheckpointList"];
export type CheckpointDetail = Schemas["CheckpointDetail"];
export type RestoreResult = Schemas["Restore"];
export type PerformanceReport = Schemas["PerformanceReport"];
export type HotSpot = Schemas["HotSpot"];
export type WallTime = Schemas["WallTime"];

export type CreateProjectBody = JsonBody<"createProject">;
export type WriteFileBody = JsonBody<"writeFile">;
export type ExecuteBody = JsonBody<"execute">;
export type StartProcessBody = JsonBody<"startProcess">;
export type ReadFileQuery = Omit<Query<"readFile">, "path">;
/** refactorCode and addFeature take the same body: {description, changes, verify?, timeout?, ai_personality?}. */
export type VerifiedChangeSetBody = JsonBody<"refactorCode">;
export type ChangeOperation = VerifiedChangeSetBody["changes"][number];
export type RestoreCheckpointBody = JsonBody<"restoreCheckpoint">;
export type OptimizeBody = JsonBody<"optimizePerformance">;

/**
 * What `executeStream` yields, one per server-sent event of POST …/execute with
 * `Accept: text/event-stream`, in order: `started`, then `stdout`/`stderr` chunks as the program
 * prints, `exit` once it ends, and `result` with the recorded execution (`error` if the stream
 * broke; the execution itself goes on and GET …/output has it).
 */
export type ExecutionStreamEvent =
  | { event: "started"; data: { id: number } }
  /**
   * `data` is the chunk as text (invalid UTF-8 as U+FFFD, NUL kept); `dataBase64`, present only
   * when `data` is not the exact bytes, holds them. The chunks' bytes concatenated are the output.
   */
  | { event: "stdout" | "stderr"; data: { seq: number; type: "stdout" | "stderr"; data: string; dataBase64?: string } }
  | {
      event: "exit";
      data: { seq: number; type: "exit"; exitCode: number | null; status: "success" | "error" | "timeout"; reason: string | null; truncated: boolean };
    }
  | { event: "result"; data: Execution }
  | { event: "error"; data: { message: string } };

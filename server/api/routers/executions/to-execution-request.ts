import type { ExecutionRequest } from "@/server/sandbox/execution-types";
import type { RunExecutionInput } from "./run-execution.schema";

/** The API's input (seconds) in the engine's terms (milliseconds). */
export function toExecutionRequest(input: RunExecutionInput): ExecutionRequest {
  const timeoutMs = input.timeoutSeconds === undefined ? undefined : input.timeoutSeconds * 1000;
  return input.kind === "command"
    ? { kind: "command", command: input.command, type: input.type, timeoutMs, image: input.image }
    : { kind: "code", language: input.language, code: input.code, type: input.type, timeoutMs };
}

import type { EngineConfig, ImageKind } from "./config";
import { SandboxError } from "./errors";
import { LANGUAGES, type ExecutionRequest, type ExecutionType, type Language } from "./execution-types";

/** How each snippet language is run: the code is written to a temp file with this suffix. */
const RUNNERS: Record<Language, { image: ImageKind; argv: string[]; suffix: string }> = {
  node: { image: "node", argv: ["node"], suffix: ".js" },
  typescript: { image: "node", argv: ["tsx"], suffix: ".ts" },
  python: { image: "python", argv: ["python3", "-u"], suffix: ".py" },
};

const MAX_COMMAND_BYTES = 64 * 1024;

export interface PreparedExecution {
  image: ImageKind;
  /** argv run inside the wrapper; for code, the temp file path is appended. */
  argv: string[];
  /** "-" for a shell command, or the temp-file suffix for a code snippet. */
  suffix: string;
  /** The code, sent over stdin (never in argv, where other processes could read it). */
  stdin: Buffer | undefined;
  command: string;
  language: Language | null;
  type: ExecutionType;
  timeoutMs: number;
}

/** Whole seconds as callers give them (REST and tRPC take seconds), else milliseconds. */
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function badRequest(message: string): never {
  throw new SandboxError("BAD_REQUEST", message);
}

/** Validates a request against the configured ceilings; refuses (never clamps) before any container work. */
export function prepareExecution(
  request: ExecutionRequest,
  config: Pick<EngineConfig, "defaultTimeoutMs" | "maxTimeoutMs" | "maxFileSize">,
): PreparedExecution {
  const type: ExecutionType = request.type ?? "run";
  if (!["run", "test", "build"].includes(type)) badRequest(`unknown execution type ${JSON.stringify(type)}`);
  const timeoutMs = request.timeoutMs ?? config.defaultTimeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) badRequest("timeoutMs must be a positive integer");
  if (timeoutMs > config.maxTimeoutMs)
    badRequest(`timeout ${duration(timeoutMs)} is above the ceiling of ${duration(config.maxTimeoutMs)} (SANDBOX_MAX_TIMEOUT); ask for less`);

  if (request.kind === "command") {
    const { command } = request;
    if (typeof command !== "string" || command.trim() === "") badRequest("command is empty");
    if (command.includes("\0")) badRequest("command contains a NUL byte");
    if (Buffer.byteLength(command) > MAX_COMMAND_BYTES) badRequest(`command longer than ${MAX_COMMAND_BYTES} bytes`);
    const image = request.image ?? "node";
    if (image !== "node" && image !== "python") badRequest(`unknown image ${JSON.stringify(image)}`);
    return { image, argv: ["bash", "-c", command], suffix: "-", stdin: undefined, command, language: null, type, timeoutMs };
  }
  if (request.kind === "code") {
    const { language, code } = request;
    if (!(LANGUAGES as readonly string[]).includes(language))
      badRequest(`unknown language ${JSON.stringify(language)}; expected one of ${LANGUAGES.join(", ")}`);
    if (typeof code !== "string") badRequest("code must be a string");
    const stdin = Buffer.from(code, "utf8");
    if (stdin.length > config.maxFileSize) badRequest(`code larger than ${config.maxFileSize} bytes`);
    const runner = RUNNERS[language];
    return { image: runner.image, argv: [...runner.argv], suffix: runner.suffix, stdin, command: code, language, type, timeoutMs };
  }
  return badRequest('request.kind must be "command" or "code"');
}

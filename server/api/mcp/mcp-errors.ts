import { McpError, ErrorCode, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ZodError } from "zod";
import { AppError, type AppErrorCode } from "@/server/errors/app-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { getLogger } from "@/server/logging/logger";

// Two kinds of failure, as the MCP spec separates them:
// - the call itself is wrong (no key, missing scope, unknown tool, arguments that fail the schema):
//   a JSON-RPC error, nothing runs;
// - the tool ran and the service refused (another user's project is "not found", a file too large,
//   a rate limit): a tool result with isError, so the model reads the message and can correct itself.

/** JSON-RPC codes for the app's error codes (-32000…-32099 is the implementation-defined range). */
export const JSON_RPC_CODE: Record<AppErrorCode, number> = {
  BAD_REQUEST: ErrorCode.InvalidParams,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  METHOD_NOT_ALLOWED: -32005,
  CONFLICT: -32009,
  PAYLOAD_TOO_LARGE: -32013,
  TOO_MANY_REQUESTS: -32029,
  UNAVAILABLE: -32053,
  TIMEOUT: -32054,
  INTERNAL: ErrorCode.InternalError,
};

/** A JSON-RPC error for the whole call, with the app's code in `data.code`. */
export function callRefused(code: AppErrorCode, message: string, data: Record<string, unknown> = {}): McpError {
  const err = new McpError(JSON_RPC_CODE[code], message, { code, ...data });
  // McpError prefixes "MCP error <code>: "; the SDK's client adds it again on its side.
  err.message = message;
  return err;
}

/** The zod issues as one line a person (or a model) can act on. */
export function describeIssues(err: ZodError): string {
  return err.issues.map((i) => `${i.path.map(String).join(".") || "(arguments)"} ${i.message}`).join("; ");
}

/** What a tool's failure becomes: a tool error result for service refusals, a generic JSON-RPC error otherwise. */
export function toolFailure(toolName: string, err: unknown): CallToolResult {
  const cause = fromSandboxError(err);
  // An INTERNAL AppError's message was written for the log, not the caller (as on REST and tRPC).
  if (cause instanceof AppError && cause.code !== "INTERNAL") {
    const retryAfterSeconds = cause.details?.retryAfterSeconds;
    return {
      isError: true,
      content: [{ type: "text", text: `${cause.code}: ${cause.message}` }],
      structuredContent: { error: { code: cause.code, message: cause.message, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) } },
    };
  }
  if (cause instanceof ZodError) throw callRefused("BAD_REQUEST", `Invalid arguments for ${toolName}: ${describeIssues(cause)}`);
  // Unknown failures leave as a generic message; the detail goes to the log, not the caller.
  getLogger().error({ tool: toolName, err }, "MCP tool failed");
  throw new McpError(ErrorCode.InternalError, "Internal server error");
}

import { Code, ConnectError } from "@connectrpc/connect";
import { SandboxError, type SandboxErrorCode } from "../errors";

/**
 * A failed agent call, as the engine sees it: a SandboxError (so the API maps it like any engine
 * error) that also keeps the RPC status, for the few callers that branch on it (a missing file is
 * `not_found`, not a failure).
 */
export class AgentCallError extends SandboxError {
  constructor(
    code: SandboxErrorCode,
    message: string,
    /** The Connect code name ("not_found", …); "unknown" when the failure was not an RPC status. */
    readonly rpcCode: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

// The agent refused the request (its answer, not its failure): the caller asked for something
// that cannot be done.
const REFUSALS = new Set([Code.InvalidArgument, Code.NotFound, Code.AlreadyExists, Code.FailedPrecondition, Code.OutOfRange, Code.PermissionDenied]);

/** At most this many characters of an agent-chosen message reach our errors (and maybe a user). */
const MAX_AGENT_MESSAGE = 200;

/** The agent's text, made safe to log and show: control characters out, length capped. */
export function agentText(text: string, max = MAX_AGENT_MESSAGE): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Maps whatever a call threw to an AgentCallError. `death` wins: once the agent is gone, every
 * failure is that death, whatever the transport made of it.
 */
export function toAgentCallError(err: unknown, call: string, death: SandboxError | null): AgentCallError {
  if (err instanceof AgentCallError) return err;
  if (death) return new AgentCallError(death.code, `${call}: ${death.message}`, "unavailable", { cause: err });
  if (err instanceof SandboxError) return new AgentCallError(err.code, `${call}: ${err.message}`, "unknown", { cause: err });
  const connect = ConnectError.from(err);
  const rpcCode = Code[connect.code] ?? "unknown";
  const codeName = rpcCode.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
  const message = `${call}: ${agentText(connect.rawMessage)}`;
  let code: SandboxErrorCode = "INTERNAL";
  if (connect.code === Code.DeadlineExceeded) code = "TIMEOUT";
  else if (connect.code === Code.Canceled) code = "CANCELLED";
  else if (REFUSALS.has(connect.code)) code = "BAD_REQUEST";
  return new AgentCallError(code, message, codeName, { cause: err });
}

/** A protocol violation by the agent (bad order, missing exit, oversized event): never trusted. */
export function agentProtocolError(call: string, what: string): AgentCallError {
  return new AgentCallError("INTERNAL", `${call}: agent protocol violation: ${what}`, "internal");
}

import type { Readable } from "node:stream";
import type { Logger } from "pino";

// The agent writes its log as JSON lines on stderr. The sandbox can replace the agent, so what
// arrives here is untrusted text: lines are capped in length and in rate, the agent's fields are
// nested under `agent` (they can never overwrite ours: level, msg, containerId), and a line that
// is not JSON is kept as a string.

export interface AgentLogLimits {
  /** Longer lines are cut (the rest, up to the next newline, is dropped). */
  maxLineBytes: number;
  /** Sustained lines per second, with a burst of `burstLines`. */
  linesPerSecond: number;
  burstLines: number;
}

export const DEFAULT_AGENT_LOG_LIMITS: AgentLogLimits = { maxLineBytes: 4096, linesPerSecond: 20, burstLines: 100 };

type Level = "debug" | "info" | "warn" | "error";

// The agent's routine lines (one per request) stay at debug: the engine logs what matters.
const LEVELS: Record<string, Level> = { debug: "debug", info: "debug", warn: "warn", warning: "warn", error: "error" };

export interface AgentLogForwarder {
  dropped(): number;
  /** The last error line's message (and its `err`), to say why an agent that failed to start did. */
  lastError(): string | null;
}

/** Reads `stderr` until it ends. */
export function forwardAgentLog(stderr: Readable, log: Logger, limits: AgentLogLimits = DEFAULT_AGENT_LOG_LIMITS): AgentLogForwarder {
  let lastError: string | null = null;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // past maxLineBytes: drop until the next newline
  let tokens = limits.burstLines;
  let refilledAt = Date.now();
  let dropped = 0;
  let droppedReported = 0;

  const emit = (line: Buffer) => {
    const now = Date.now();
    tokens = Math.min(limits.burstLines, tokens + ((now - refilledAt) / 1000) * limits.linesPerSecond);
    refilledAt = now;
    if (tokens < 1) {
      dropped++;
      return;
    }
    tokens--;
    if (dropped > droppedReported) {
      log.warn({ droppedLines: dropped - droppedReported }, "agent log lines dropped (rate cap)");
      droppedReported = dropped;
    }
    const level = writeLine(log, line.toString("utf8"));
    if (level.level === "error") lastError = level.summary;
  };

  stderr.on("data", (chunk: Buffer) => {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      if (!skipping) {
        const room = limits.maxLineBytes - pendingBytes;
        const piece = chunk.subarray(start, Math.min(end, start + room));
        pending.push(piece);
        pendingBytes += piece.length;
        if (end - start > room) {
          emit(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
          skipping = true;
        }
      }
      if (newline < 0) break;
      if (!skipping && pendingBytes > 0) emit(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
      skipping = false;
      start = newline + 1;
    }
  });
  stderr.on("error", () => {});
  return { dropped: () => dropped, lastError: () => lastError };
}

function writeLine(log: Logger, text: string): { level: Level; summary: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    const fields = parsed as Record<string, unknown>;
    const level = typeof fields.level === "string" ? (LEVELS[fields.level.toLowerCase()] ?? "info") : "info";
    const msg = typeof fields.msg === "string" ? fields.msg : "agent log";
    log[level]({ agent: fields }, `agent: ${msg}`);
    return { level, summary: typeof fields.err === "string" ? `${msg}: ${fields.err}` : msg };
  }
  log.info({ agentLine: text }, "agent: unstructured log line");
  return { level: "info", summary: text };
}

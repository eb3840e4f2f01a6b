// The log line shape of server/logging/log-shape.ts for the plain-Node scripts that run before
// the server (scripts/start.mjs): the seed's SandboxLogEntry keys, extras under `context`.
// server/logging/log-line-script.test.ts checks both produce the same shape.
import { createInterface } from "node:readline";

// ANSI sequences (colours of `next build`) and control characters other than tab are dropped.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/** One log line (JSON, newline-terminated) with `action` and the given level and component. */
export function logLine(action, { level = "info", component = "start", now = new Date() } = {}) {
  const entry = {
    timestamp: now.toISOString(),
    level,
    sandbox_id: "none",
    user_id: "none",
    ai_personality: "none",
    action: String(action).replace(ANSI, "").replace(CONTROL, "").trim(),
    execution_time: 0,
    resource_usage: {},
    context: { component },
  };
  return `${JSON.stringify(entry)}\n`;
}

/** Whether a line is already a log line of the shape (the server's own), to pass through as is. */
export function isLogLine(text) {
  if (!text.startsWith("{")) return false;
  try {
    const parsed = JSON.parse(text);
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      typeof parsed.timestamp === "string" &&
      typeof parsed.action === "string" &&
      typeof parsed.level === "string"
    );
  } catch {
    return false;
  }
}

/**
 * Copies a child's output to `out` line by line: log lines as they are, anything else (the
 * output of `next build`, a message from Node itself) wrapped as a log line of `component`.
 * Blank lines are dropped. Resolves when the stream ends.
 */
export function pipeAsLogLines(stream, out, { component, level = "info" }) {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (isLogLine(line)) out.write(`${line}\n`);
    else if (line.trim()) out.write(logLine(line.trim(), { level, component }));
  });
  return new Promise((resolve) => lines.on("close", resolve));
}

import { z } from "zod";
import { escapeForJsonLog, escapeForLog } from "@/server/monitoring/log-escape";

// One log format for every component (app server, Next, engine, workers, CLI): the seed's
// SandboxLogEntry, one JSON object per line. Its keys are always there (a line about no sandbox
// says "none"); what a line adds beyond them rides in `context`, so tools can rely on the top level.

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLineSchema = z
  .object({
    timestamp: z.iso.datetime(),
    level: z.enum(LOG_LEVELS),
    sandbox_id: z.string(),
    user_id: z.string(),
    ai_personality: z.string(),
    action: z.string(),
    execution_time: z.number(),
    resource_usage: z.record(z.string(), z.number()),
    error: z.string().optional(),
    context: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type LogLine = z.infer<typeof logLineSchema>;

const NONE = "none";

/** pino's numeric levels and labels to the seed's (debug stands for trace too; fatal is an error). */
function levelOf(value: unknown): LogLevel {
  if (typeof value === "number") return value >= 50 ? "error" : value >= 40 ? "warn" : value >= 30 ? "info" : "debug";
  if (value === "fatal") return "error";
  if (value === "trace") return "debug";
  return LOG_LEVELS.includes(value as LogLevel) ? (value as LogLevel) : "info";
}

function idOf(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint" ? escapeForLog(String(value), 200) : null;
}

function errorOf(value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string") return escapeForJsonLog(value);
  if (typeof value === "object") {
    const { type, message } = value as { type?: unknown; message?: unknown };
    if (typeof message === "string") return escapeForJsonLog(typeof type === "string" && type !== "Error" ? `${type}: ${message}` : message);
  }
  return escapeForJsonLog(JSON.stringify(value) ?? "unknown error");
}

function usageOf(value: unknown): Record<string, number> {
  if (!value || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1])));
}

/** The first of `keys` present in `record`, removed from `rest` so it is not repeated in context. */
function take(record: Record<string, unknown>, rest: Record<string, unknown>, keys: string[]): unknown {
  let found: unknown = undefined;
  for (const key of keys) {
    if (found === undefined && record[key] !== undefined && record[key] !== null) {
      found = record[key];
      delete rest[key];
    } else if (key !== "projectId" && key !== "containerId") {
      delete rest[key];
    }
  }
  return found;
}

/**
 * A pino record (time, level, msg, bindings, err...) in the seed's shape. Known names map to the
 * seed's keys (projectId → sandbox_id, else containerId; userId → user_id; durationMs →
 * execution_time; err → error, its stack into context); the rest goes to `context`.
 */
export function toLogLine(record: Record<string, unknown>, now: () => Date = () => new Date()): LogLine {
  const rest: Record<string, unknown> = { ...record };
  const time = take(record, rest, ["timestamp", "time"]);
  const level = levelOf(take(record, rest, ["level"]));
  const action = take(record, rest, ["action", "msg"]);
  const sandbox = take(record, rest, ["sandbox_id", "projectId", "containerId"]);
  const user = take(record, rest, ["user_id", "userId"]);
  const ai = take(record, rest, ["ai_personality", "aiPersonality"]);
  const duration = take(record, rest, ["execution_time", "durationMs"]);
  const usage = take(record, rest, ["resource_usage"]);
  const err = take(record, rest, ["error", "err"]);
  const stack = err && typeof err === "object" ? (err as { stack?: unknown }).stack : undefined;
  if (typeof stack === "string") rest.stack = stack;

  const timestamp = typeof time === "string" && !Number.isNaN(Date.parse(time)) ? new Date(time) : typeof time === "number" ? new Date(time) : now();
  const line: LogLine = {
    timestamp: timestamp.toISOString(),
    level,
    sandbox_id: idOf(sandbox) ?? NONE,
    user_id: idOf(user) ?? NONE,
    ai_personality: idOf(ai) ?? NONE,
    action: typeof action === "string" ? escapeForJsonLog(action, 10_000) : action === undefined ? "" : escapeForJsonLog(JSON.stringify(action) ?? "", 10_000),
    execution_time: typeof duration === "number" && Number.isFinite(duration) ? duration : 0,
    resource_usage: usageOf(usage),
  };
  const error = errorOf(err);
  if (error) line.error = error;
  if (Object.keys(rest).length) line.context = rest;
  return line;
}

/** A serialized pino line (JSON, newline-terminated) rewritten in the seed's shape; text that is not JSON becomes the action. */
export function reshapeLogJson(serialized: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(serialized);
    record = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { msg: serialized.trimEnd() };
  } catch {
    record = { msg: serialized.trimEnd() };
  }
  return `${JSON.stringify(toLogLine(record))}\n`;
}

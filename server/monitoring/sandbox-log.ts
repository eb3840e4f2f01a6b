import type pino from "pino";
import { getLogger } from "@/server/logging/logger";
import { getAppRuntime } from "@/server/process/app-runtime";
import { escapeForLog } from "./log-escape";

// The seed's SandboxLogEntry, one JSON line each, through the app's one logger: every line of
// every component has this shape (logging/log-shape.ts); these carry an execution's values.

export interface SandboxResourceUsage {
  cpu_usage: number;
  memory_usage: number;
  disk_usage: number;
  network_io: number;
  execution_count: number;
  error_rate: number;
  response_time: number;
}

export interface SandboxLogEntry {
  timestamp: string;
  level: "info" | "warn" | "error";
  sandbox_id: string;
  user_id: string;
  ai_personality: string;
  action: string;
  execution_time: number;
  resource_usage: Partial<SandboxResourceUsage>;
  error?: string;
}

export type SandboxLogInput = Omit<SandboxLogEntry, "timestamp" | "error" | "ai_personality" | "user_id" | "sandbox_id" | "resource_usage"> & {
  sandbox_id: string | number;
  user_id: string | number;
  ai_personality?: string | null;
  resource_usage?: Partial<SandboxResourceUsage>;
  /** Usually program output (stderr): escaped and redacted here. */
  error?: string | null;
};

/** The entry for one event; every free-text field is escaped, so callers may pass raw output. */
export function buildSandboxLogEntry(input: SandboxLogInput, now: Date = new Date()): SandboxLogEntry {
  const entry: SandboxLogEntry = {
    timestamp: now.toISOString(),
    level: input.level,
    sandbox_id: escapeForLog(String(input.sandbox_id), 200),
    user_id: escapeForLog(String(input.user_id), 200),
    ai_personality: escapeForLog(input.ai_personality ?? "none", 100),
    action: escapeForLog(input.action, 200),
    execution_time: input.execution_time,
    resource_usage: input.resource_usage ?? {},
  };
  if (input.error) entry.error = escapeForLog(input.error);
  return entry;
}

/** Entries written through `logger` (the app's one logger by default), whose lines have the seed's shape (logging/log-shape.ts). */
export function createSandboxLogger(logger: pino.Logger = getLogger()) {
  return {
    log(input: SandboxLogInput, now?: Date): SandboxLogEntry {
      const { level, action, ...rest } = buildSandboxLogEntry(input, now);
      logger[level](rest, action);
      return { level, action, ...rest };
    },
  };
}

export type SandboxLogger = ReturnType<typeof createSandboxLogger>;

/** One per process, through the app's logger. */
export function logSandboxEvent(input: SandboxLogInput): SandboxLogEntry {
  const runtime = getAppRuntime();
  runtime.sandboxLog ??= createSandboxLogger();
  return runtime.sandboxLog.log(input);
}

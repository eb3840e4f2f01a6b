import type { Env } from "@/lib/env";
import { AppError } from "@/server/errors/app-error";
import { getAppRuntime } from "@/server/process/app-runtime";
import type { EngineConfig } from "@/server/sandbox/config";
import type { SandboxEngine } from "@/server/sandbox/engine";

export function requireEngine(): SandboxEngine {
  const engine = getAppRuntime().engine;
  if (!engine) throw new AppError("UNAVAILABLE", "The sandbox engine is not running in this process");
  return engine;
}

/**
 * The ceilings a request is validated against: the running engine's, or (no engine in this
 * process) the same values from the configuration the caller passed, so a bad request is refused
 * as bad (400) whatever state the engine is in.
 */
export function executionLimits(
  env: Pick<Env, "SANDBOX_DEFAULT_TIMEOUT" | "SANDBOX_MAX_TIMEOUT" | "SANDBOX_MAX_FILE_SIZE">,
): Pick<EngineConfig, "defaultTimeoutMs" | "maxTimeoutMs" | "maxFileSize"> {
  const engine = getAppRuntime().engine;
  if (engine) return engine.config;
  return { defaultTimeoutMs: env.SANDBOX_DEFAULT_TIMEOUT * 1000, maxTimeoutMs: env.SANDBOX_MAX_TIMEOUT * 1000, maxFileSize: env.SANDBOX_MAX_FILE_SIZE };
}

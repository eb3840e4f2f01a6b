import { AppError } from "@/server/errors/app-error";
import { getAppRuntime } from "@/server/runtime/app-runtime";
import type { SandboxEngine } from "@/server/sandbox/engine";

export function requireEngine(): SandboxEngine {
  const engine = getAppRuntime().engine;
  if (!engine) throw new AppError("UNAVAILABLE", "The sandbox engine is not running in this process");
  return engine;
}

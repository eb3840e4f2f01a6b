import type { SandboxEngine } from "@/server/sandbox/engine";
import { type DockerStatus, pingDocker } from "./docker-ping";

// The long-lived parts of the process (sandbox engine, later the metrics collector and
// cleanup scheduler) live here, on globalThis: the custom server creates them once and Next's
// route bundles, which may load this module a second time, find the same instance.
export interface AppRuntime {
  /** Absent until the custom server starts it (scripts and tests that need none run without). */
  engine?: SandboxEngine;
  dockerStatus(): Promise<DockerStatus>;
  stop(): Promise<void>;
}

const holder = globalThis as typeof globalThis & { __pantheonRuntime?: AppRuntime };

export function getAppRuntime(): AppRuntime {
  holder.__pantheonRuntime ??= { dockerStatus: () => pingDocker(), stop: async () => {} };
  return holder.__pantheonRuntime;
}

export function setAppRuntime(runtime: AppRuntime): void {
  holder.__pantheonRuntime = runtime;
}

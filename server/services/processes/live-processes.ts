import { getAppRuntime } from "@/server/process/app-runtime";
import type { ImageKind } from "@/server/sandbox/config";
import type { SandboxProcess } from "@/server/sandbox/engine";
import type { ProcessOutput } from "./process-output";

/** A background process running in this server process, with its output and preview listener. */
export interface LiveProcess {
  readonly id: number;
  readonly projectId: number;
  readonly image: ImageKind;
  readonly port: number | null;
  readonly process: SandboxProcess;
  readonly output: ProcessOutput;
  previewPort: number | null;
  /** Set by a stop request, so the end is recorded as "stopped" rather than "failed". */
  stopping: boolean;
  /** Who started it: the per-user process and preview caps count it. */
  readonly userId: number;
  /** Why the server ended it, when it did (its container was released): recorded with its output. */
  endReason: string | null;
  /** Settles once the end is recorded and the preview listener closed. */
  readonly settled: Promise<void>;
}

// In the process registry: Next's route bundles and the custom server must see the same processes.

export function liveProcesses(): Map<number, LiveProcess> {
  const runtime = getAppRuntime();
  runtime.liveProcesses ??= new Map();
  return runtime.liveProcesses;
}

export function liveProcessesOf(projectId: number): LiveProcess[] {
  return [...liveProcesses().values()].filter((p) => p.projectId === projectId);
}

/**
 * The project's container is going (`reason` from the engine): its processes are told why, so
 * their end is recorded with it. A release the server decided (idle, unattended, by a user) is
 * a stop; a container that died leaves them failed.
 */
export function noteContainerEnded(projectId: number, reason: string): void {
  const died = reason.startsWith("container ");
  for (const live of liveProcessesOf(projectId)) {
    if (live.stopping || live.endReason) continue;
    live.endReason = reason.startsWith("unattended")
      ? `stopped: ${reason.slice("unattended: ".length)} (SANDBOX_MAX_UNATTENDED_TIME); output alone does not keep a sandbox, so its container was released`
      : died
        ? `the process ended with its container (${reason.slice("container ".length)})`
        : `stopped: its container was released (${reason})`;
    if (!died) live.stopping = true;
  }
}

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
  /** Settles once the end is recorded and the preview listener closed. */
  readonly settled: Promise<void>;
}

// On globalThis: Next's route bundles and the custom server must see the same processes.
const holder = globalThis as typeof globalThis & { __pantheonProcesses?: Map<number, LiveProcess> };

export function liveProcesses(): Map<number, LiveProcess> {
  holder.__pantheonProcesses ??= new Map();
  return holder.__pantheonProcesses;
}

export function liveProcessesOf(projectId: number): LiveProcess[] {
  return [...liveProcesses().values()].filter((p) => p.projectId === projectId);
}

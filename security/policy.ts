// The hardened container policy: default limits and HARD CEILINGS. A request above a ceiling is
// refused (zod error), never clamped: a silent clamp hides a misconfiguration or a probing caller.
// Operators may configure lower defaults; raising a ceiling is a code change reviewed with
// THREAT_MODEL.md.
import { z } from "zod";

const MiB = 1024 * 1024;

export interface SandboxLimits {
  /** CPU cores (fractional), enforced as a CFS quota. */
  cpus: number;
  /** Memory limit in bytes; swap is disabled (memory+swap == memory). tmpfs pages count here too. */
  memoryBytes: number;
  /** /workspace tmpfs size and inode cap: the project's disk. */
  workspaceBytes: number;
  workspaceInodes: number;
  /** /tmp tmpfs size and inode cap. */
  tmpBytes: number;
  tmpInodes: number;
  /** /home/sandbox tmpfs (dotfiles, caches of tools that insist on $HOME). */
  homeBytes: number;
  /** Max processes+threads in the container (fork bombs stop here). */
  pids: number;
  /** RLIMIT_NOFILE soft=hard. */
  nofile: number;
  /** RLIMIT_FSIZE: largest single file a process may write. */
  fsizeBytes: number;
  /** json-file log driver: bytes per file (docker keeps LOG_MAX_FILES of them). */
  logMaxBytes: number;
}

/** Absolute maxima (seed: 1 CPU, 512 MiB memory, 100 MiB disk). */
export const LIMIT_CEILINGS: Readonly<SandboxLimits> = Object.freeze({
  cpus: 1,
  memoryBytes: 512 * MiB,
  workspaceBytes: 100 * MiB,
  workspaceInodes: 20_000,
  tmpBytes: 64 * MiB,
  tmpInodes: 4_096,
  homeBytes: 16 * MiB,
  pids: 256,
  nofile: 1_024,
  fsizeBytes: 100 * MiB,
  logMaxBytes: 10 * MiB,
});

/** Below these a runtime cannot even start (node needs ~40 MiB, a shell a few pids). */
export const LIMIT_FLOORS: Readonly<SandboxLimits> = Object.freeze({
  cpus: 0.05,
  memoryBytes: 64 * MiB,
  workspaceBytes: 1 * MiB,
  workspaceInodes: 256,
  tmpBytes: 1 * MiB,
  tmpInodes: 64,
  homeBytes: 1 * MiB,
  pids: 16,
  nofile: 64,
  fsizeBytes: 1 * MiB,
  logMaxBytes: 64 * 1024,
});

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  cpus: 1,
  memoryBytes: 512 * MiB,
  workspaceBytes: 100 * MiB,
  workspaceInodes: 10_000,
  tmpBytes: 64 * MiB,
  tmpInodes: 2_048,
  homeBytes: 16 * MiB,
  pids: 256,
  nofile: 1_024,
  fsizeBytes: 100 * MiB,
  logMaxBytes: 1 * MiB,
});

export const LOG_MAX_FILES = 2;
/** Seconds Docker waits after SIGTERM before SIGKILL on stop: sandboxes hold no state worth a grace period. */
export const STOP_TIMEOUT_SECONDS = 2;

function bounded(key: keyof SandboxLimits, integer: boolean) {
  const base = integer ? z.number().int() : z.number();
  return base
    .min(LIMIT_FLOORS[key], { message: `${key} below the floor ${LIMIT_FLOORS[key]}` })
    .max(LIMIT_CEILINGS[key], { message: `${key} above the hard ceiling ${LIMIT_CEILINGS[key]}` });
}

export const sandboxLimitsSchema = z
  .object({
    cpus: bounded("cpus", false),
    memoryBytes: bounded("memoryBytes", true),
    workspaceBytes: bounded("workspaceBytes", true),
    workspaceInodes: bounded("workspaceInodes", true),
    tmpBytes: bounded("tmpBytes", true),
    tmpInodes: bounded("tmpInodes", true),
    homeBytes: bounded("homeBytes", true),
    pids: bounded("pids", true),
    nofile: bounded("nofile", true),
    fsizeBytes: bounded("fsizeBytes", true),
    logMaxBytes: bounded("logMaxBytes", true),
  })
  .strict()
  .refine((l) => l.workspaceBytes + l.tmpBytes + l.homeBytes < l.memoryBytes, {
    // tmpfs is memory: full disks must still leave the program room to run.
    message: "workspaceBytes + tmpBytes + homeBytes must stay below memoryBytes (tmpfs is charged to memory)",
  });

/** Partial request on top of the defaults; anything above a ceiling throws (ZodError). */
export function resolveLimits(request: Partial<SandboxLimits> = {}, defaults: SandboxLimits = DEFAULT_LIMITS): SandboxLimits {
  return sandboxLimitsSchema.parse({ ...defaults, ...request });
}

/**
 * Under gVisor the pids cgroup counts the sandbox's HOST threads (Sentry, gofer, and with the ptrace
 * platform a stub plus tracer threads per guest process), not guest processes. Measured here with
 * ptrace: 39 idle, 65 after one node run, 188 with ten `sleep`s (~15 per guest process); with systrap
 * (the build security/gvisor pins) far fewer: a fork bomb held at 64 processes peaked at 159 host
 * pids. So under runsc the guest limit is RLIMIT_NPROC, which gVisor's per-sandbox kernel enforces
 * (a fork bomb gets EAGAIN), and the host cgroup gets N x this factor as a backstop: at the cgroup
 * wall the Sentry cannot create a thread and the whole sandbox dies (seen with a plain pids limit
 * of 64).
 */
export const RUNSC_HOST_PIDS_PER_GUEST_PID = 24;

/** /dev/shm (private IPC namespace): small, it is memory too. */
export const SHM_BYTES = 8 * MiB;
/** The only identity sandboxed code runs as (images create it as "sandbox"). */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;

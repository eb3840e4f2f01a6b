// The one place a sandbox container's Docker configuration is decided. Pure: same input, same spec.
// Every field below is a protection described in security/THREAT_MODEL.md; tests pin each one.
import type Dockerode from "dockerode";
import {
  LOG_MAX_FILES,
  RUNSC_HOST_PIDS_PER_GUEST_PID,
  SANDBOX_GID,
  SANDBOX_UID,
  SHM_BYTES,
  STOP_TIMEOUT_SECONDS,
  sandboxLimitsSchema,
  type SandboxLimits,
} from "../../security/policy";
import { AGENT_SOCKET_MOUNT } from "./agent/agent-socket";

export type { SandboxLimits } from "../../security/policy";

export type SandboxRuntime = "runc" | "runsc";

export interface ContainerSpecInput {
  image: string;
  runtime: SandboxRuntime;
  limits: SandboxLimits;
  labels: Record<string, string>;
  name?: string;
  /** security/seccomp.json as JSON text (loadSeccompProfileText). Ignored under runsc, see below. */
  seccompProfile: string;
  /** AppArmor profile name, only where the host has AppArmor and the profile is loaded. */
  apparmorProfile?: string | null;
  /** The container's whole environment besides the image's own ENV: nothing from the host leaks in. */
  env?: Record<string, string>;
  /**
   * A host directory (the engine's own, 0700) mounted read-only at AGENT_SOCKET_MOUNT: the engine
   * listens there and the agent dials in (agent/agent-socket.ts). runc only.
   */
  agentSocketDir?: string | null;
}

export const WORKSPACE_DIR = "/workspace";
export const SANDBOX_USER = `${SANDBOX_UID}:${SANDBOX_GID}`;
/**
 * The container's own processes (docker-init as PID 1 and the idle command) run as root, beyond the
 * reach of uid 1000: `kill 1` and `kill -9 -1` from sandbox code cannot end the container (as uid
 * 1000, tini forwarded a TERM to the idle command and the container stopped). Root is also what
 * gives `docker exec --user 0` (pantheon-agent) the capabilities in CapAdd: Docker derives an
 * exec's permitted set from the container's user. Every exec names its user (driver.ts), so no
 * sandbox code runs as root; uid 1000 processes get no effective or permitted capability.
 */
export const INIT_USER = "0:0";
/** Keeps the container alive doing nothing; work arrives through exec. */
export const IDLE_COMMAND = ["sleep", "infinity"];

/** Granted to the container only for pantheon-agent (see CapAdd below). */
export const AGENT_CAPABILITIES = ["SETUID", "SETGID", "SETPCAP", "KILL"] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function tmpfsOptions(opts: { bytes: number; inodes?: number; exec: boolean; mode: string }): string {
  return [
    "rw",
    opts.exec ? "exec" : "noexec",
    "nosuid",
    "nodev",
    `size=${opts.bytes}`,
    ...(opts.inodes === undefined ? [] : [`nr_inodes=${opts.inodes}`]),
    `mode=${opts.mode}`,
    `uid=${SANDBOX_UID}`,
    `gid=${SANDBOX_GID}`,
  ].join(",");
}

export function buildContainerSpec(input: ContainerSpecInput): Dockerode.ContainerCreateOptions {
  // Refuse, never clamp: a limit above the policy ceiling is a bug or an attack.
  const limits = sandboxLimitsSchema.parse(input.limits);
  if (!input.image.trim()) throw new Error("image is required");
  if (input.runtime !== "runc" && input.runtime !== "runsc") throw new Error(`unknown runtime ${String(input.runtime)}`);

  const env = Object.entries(input.env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k) || v.includes("\0")) throw new Error(`invalid environment variable ${JSON.stringify(k)}`);
    return `${k}=${v}`;
  });

  const securityOpt = ["no-new-privileges:true"];
  // gVisor's own kernel is the syscall boundary; this runsc build breaks Node's threads when it
  // loads an OCI seccomp profile (--oci-seccomp), so the profile only goes to runc (ARCHITECTURE §4).
  if (input.runtime === "runc") {
    JSON.parse(input.seccompProfile); // a malformed profile must fail here, not as an opaque daemon error
    securityOpt.push(`seccomp=${input.seccompProfile}`);
  }
  if (input.apparmorProfile) securityOpt.push(`apparmor=${input.apparmorProfile}`);

  const hostConfig: Dockerode.HostConfig = {
    Runtime: input.runtime,
    Init: true, // reaps zombies and forwards signals: PID 1 is docker-init, not user code
    ReadonlyRootfs: true,
    Tmpfs: {
      // exec: node_modules/.bin scripts and compiled programs live in the project.
      [WORKSPACE_DIR]: tmpfsOptions({ bytes: limits.workspaceBytes, inodes: limits.workspaceInodes, exec: true, mode: "0755" }),
      "/tmp": tmpfsOptions({ bytes: limits.tmpBytes, inodes: limits.tmpInodes, exec: false, mode: "1777" }),
      "/home/sandbox": tmpfsOptions({ bytes: limits.homeBytes, inodes: 1024, exec: false, mode: "0755" }),
    },
    CapDrop: ["ALL"],
    // Only for pantheon-agent, which the engine starts as uid 0 (`docker exec --user 0`): it drops
    // every one of them (bounding set included) before sandbox code runs as uid 1000, and the
    // container's own processes run as uid 1000 with no effective capability and no-new-privileges,
    // so they cannot raise any (THREAT_MODEL "agent capabilities"). Each is needed, none more:
    // SETUID/SETGID — the switch to 1000:1000 (setresuid/setresgid/setgroups) and the agent's file
    // operations under the sandbox user's filesystem ids (setfsuid/setfsgid);
    // SETPCAP — emptying the capability bounding set before sandbox code runs;
    // KILL — signalling sandbox processes, which belong to another uid;
    // SYS_RESOURCE, runsc only — the agent lowers RLIMIT_NPROC for sandbox code (children inherit
    // it) below the one above, so that a fork bomb stops before the host pids cgroup kills the
    // Sentry; this lets the agent itself still fork past it. Inside gVisor capabilities are the
    // Sentry's own emulation, never the host's.
    CapAdd: input.runtime === "runsc" ? [...AGENT_CAPABILITIES, "SYS_RESOURCE"] : [...AGENT_CAPABILITIES],
    SecurityOpt: securityOpt,
    Privileged: false,
    NetworkMode: "none",
    IpcMode: "private",
    ShmSize: SHM_BYTES,
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes, // equal: no swap, an OOM kill instead of thrashing the host
    NanoCpus: Math.round(limits.cpus * 1e9),
    PidsLimit: input.runtime === "runsc" ? limits.pids * RUNSC_HOST_PIDS_PER_GUEST_PID : limits.pids,
    Ulimits: [
      { Name: "nofile", Soft: limits.nofile, Hard: limits.nofile },
      { Name: "fsize", Soft: limits.fsizeBytes, Hard: limits.fsizeBytes },
      { Name: "core", Soft: 0, Hard: 0 },
      // gVisor has its own kernel per sandbox, so RLIMIT_NPROC there counts only this sandbox's
      // tasks and stops a fork bomb before the host pids cgroup (which would kill the Sentry).
      // Under runc it would count every uid-1000 process on the host, across containers: not set.
      ...(input.runtime === "runsc" ? [{ Name: "nproc", Soft: limits.pids, Hard: limits.pids }] : []),
    ],
    // Under host memory pressure the kernel kills sandbox code before the server.
    OomScoreAdj: 500,
    LogConfig: { Type: "json-file", Config: { "max-size": String(limits.logMaxBytes), "max-file": String(LOG_MAX_FILES) } },
    RestartPolicy: { Name: "no" },
    AutoRemove: false,
    // The one bind: the engine's socket directory, read-only (the agent only connects to a socket
    // there, which is no write). gVisor's gofer refuses host sockets, so never under runsc.
    ...(input.agentSocketDir && input.runtime === "runc" ? { Binds: [`${input.agentSocketDir}:${AGENT_SOCKET_MOUNT}:ro`] } : {}),
    // Deliberately absent: other Binds, Mounts, Devices, VolumesFrom, PortBindings, and MaskedPaths
    // (an empty list would erase Docker's defaults that hide /proc/kcore, /proc/keys, …).
  };

  return {
    ...(input.name ? { name: input.name } : {}),
    Image: input.image,
    User: INIT_USER,
    WorkingDir: WORKSPACE_DIR,
    Cmd: [...IDLE_COMMAND],
    Env: env,
    Labels: { ...input.labels },
    Hostname: "sandbox",
    NetworkDisabled: true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StopTimeout: STOP_TIMEOUT_SECONDS,
    HostConfig: hostConfig,
  };
}

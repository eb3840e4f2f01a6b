import type { Readable, Writable } from "node:stream";
import type { StdStream } from "./docker-stream";

// The engine talks to containers only through this interface, so a Kubernetes driver
// (pods + exec over the API server) can replace Docker without touching pool or executor.

export const LABEL_SANDBOX = "pantheon.sandbox";
export const LABEL_INSTANCE = "pantheon.instance";
/** Separates deployments sharing one Docker host (the app, its e2e run, test engines): a reaper only sweeps its own scope. */
export const LABEL_SCOPE = "pantheon.scope";
export const LABEL_PROJECT = "pantheon.project";
export const LABEL_IMAGE_KIND = "pantheon.image";

export interface CreateContainerRequest {
  image: string;
  labels: Record<string, string>;
  name?: string;
  /** Extra environment; the container never inherits the host's. */
  env?: Record<string, string>;
}

export interface ExecRequest {
  cmd: string[];
  /** uid[:gid]; executions always pass the sandbox user. */
  user: string;
  workdir?: string;
  env?: Record<string, string>;
  /** Written to the process's stdin, then stdin is closed. */
  stdin?: Buffer | Readable;
  /** Called in the order Docker delivered the chunks. */
  onOutput?: (stream: StdStream, data: Buffer) => void;
  /** Stops reading (the process itself is killed separately by the caller). */
  signal?: AbortSignal;
}

/** A long-lived exec whose stdin stays open (shells, background processes, tunnels). */
export interface AttachRequest {
  cmd: string[];
  user: string;
  workdir?: string;
  env?: Record<string, string>;
  /** A pseudo-terminal: output arrives raw on stdout (stderr is merged), and resize() works. */
  tty?: boolean;
  cols?: number;
  rows?: number;
}

export interface AttachedExec {
  /** end() half-closes the connection: the process sees EOF on stdin. */
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Empty with a tty. */
  readonly stderr: Readable;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves when the output stream ends (process exit or container death), with the exit code if known. */
  readonly exited: Promise<{ exitCode: number | null }>;
  /** Drops the connection (the process itself is killed separately). */
  detach(): void;
}

export interface ExecOutcome {
  /** null when the stream was aborted before the process reported an exit code. */
  exitCode: number | null;
}

export interface ResourceUsage {
  /** High-water mark of memory charged to the container since the last resetMemoryPeak (or start). */
  memoryPeakBytes: number | null;
  /** Cumulative CPU time of the container, nanoseconds. */
  cpuTotalNs: number | null;
  /** Processes the kernel OOM-killed in this container so far (the container may survive them). */
  oomKills: number | null;
}

export interface ContainerState {
  id: string;
  name: string;
  running: boolean;
  oomKilled: boolean;
  exitCode: number | null;
  labels: Record<string, string>;
}

export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: string;
  /** Creation time, ms since the epoch (the runtime reports seconds). */
  createdAt: number;
}

export type ContainerEventType = "die" | "oom" | "destroy" | "kill";

export interface ContainerEvent {
  type: ContainerEventType;
  containerId: string;
  labels: Record<string, string>;
  exitCode: number | null;
}

export interface EventSubscription {
  /** Resolves when the stream ends (daemon restart, error); the caller resubscribes. */
  readonly closed: Promise<void>;
  close(): void;
}

/**
 * One reading of a container's stats stream. Counters are cumulative since the container
 * started; the monitoring collector turns them into rates over its own interval.
 */
export interface ContainerStatsSample {
  /** When the runtime read the counters (ms since the epoch). */
  readAt: number;
  /** Cumulative CPU time of the container, nanoseconds. */
  cpuTotalNs: number | null;
  /** Memory in use without reclaimable page cache (what `docker stats` shows), bytes. */
  memoryBytes: number | null;
  /** Summed over the container's interfaces; 0 for a container without a network. */
  netRxBytes: number;
  netTxBytes: number;
  pids: number | null;
}

export interface StatsSubscription {
  /** Resolves when the stream ends (container gone, daemon restart); the caller resubscribes. */
  readonly closed: Promise<void>;
  close(): void;
}

export interface SandboxDriver {
  readonly kind: string;
  ping(): Promise<void>;
  create(request: CreateContainerRequest): Promise<string>;
  start(id: string): Promise<void>;
  exec(id: string, request: ExecRequest): Promise<ExecOutcome>;
  attach(id: string, request: AttachRequest): Promise<AttachedExec>;
  /** Cheap enough to call around every execution (Docker's stats API takes ~1 s per call). */
  usage(id: string): Promise<ResourceUsage | null>;
  /** Makes the next usage().memoryPeakBytes per-execution; false where the runtime cannot. */
  resetMemoryPeak(id: string): Promise<boolean>;
  inspect(id: string): Promise<ContainerState | null>;
  /** Idempotent: an already-gone container is success. */
  destroy(id: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  /**
   * Where several app replicas share the back end (Kubernetes), binds a pre-created container to
   * a project in the back end itself, atomically; the pool awaits it before using the container.
   * Throws ClaimLostError when another holder has it or it is gone; any other error means the
   * outcome is unknown. The container then carries the claimer's instance label: its sweeps and
   * events are the claimer's, and the creator no longer counts it as its own. Absent (Docker):
   * the pool's in-memory binding is the authority.
   */
  claim?(id: string, claim: { projectId: string; name: string; instanceId: string }): Promise<void>;
  listByLabel(labels: Record<string, string>): Promise<ContainerSummary[]>;
  subscribeEvents(labels: Record<string, string>, onEvent: (event: ContainerEvent) => void): Promise<EventSubscription>;
  /** One long-lived stats stream (the runtime samples about once a second); for monitoring. */
  streamStats(id: string, onSample: (sample: ContainerStatsSample) => void): Promise<StatsSubscription>;
  /** Whether the image exists locally (no pulls happen at runtime). */
  hasImage(image: string): Promise<boolean>;
}

import type { AgentListener } from "./agent-net";
import type { LeaseWatch } from "./agent-watch-save";
import { KeyedLock } from "./project-lock";
import type { Manifest } from "./workspace-manifest";

/** The egress listener of a lease's container (lease-network.ts): the agent accepts on the proxy port. */
export interface EgressTunnel {
  listener: AgentListener;
  /** Whether the proxy's CA bundle was written into the container (the proxy environment names it). */
  withCa: boolean;
}

/**
 * What the engine knows about a leased container beyond the pool's bookkeeping. Typed fields,
 * not a bag of keys: every reader sees what is there and when it may be absent.
 */
export interface LeaseState {
  /** The workspace as last synced; null until the workspace is loaded (the container is not usable yet). */
  manifest: Manifest | null;
  /** Idle keeper pids the load script found ("" before the first load); a kill-all spares them. */
  keepers: string;
  /** Kept roots: pids of the long-lived processes (engine.spawn) alive in the container. */
  readonly roots: Set<number>;
  /** Spawns still starting, whose pid is not known yet (lease-processes.ts). */
  readonly pendingSpawns: Set<Promise<void>>;
  /** The egress listener, while the container runs with a network policy other than "none". */
  egress: EgressTunnel | null;
  /** OOM kills counted in the container when last read (a run killed by SIGKILL compares with it); null: not read yet. */
  oomKills: number | null;
  /** The agent's watch saving changes made outside executions (agent-watch-save.ts); null: none runs. */
  watch: LeaseWatch | null;
  /**
   * Held while the manifest and the store are brought together (an execution's save, the
   * watcher's, an edit mirrored in): one look-and-save at a time, never interleaved.
   */
  readonly saves: KeyedLock;
}

export function newLeaseState(): LeaseState {
  return { manifest: null, keepers: "", roots: new Set(), pendingSpawns: new Set(), egress: null, oomKills: null, watch: null, saves: new KeyedLock() };
}

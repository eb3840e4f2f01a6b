import type { Logger } from "pino";
import { bashArgs, SANDBOX_USER, WORKSPACE_DIR } from "./container-scripts";
import type { EngineConfig, ImageKind } from "./config";
import { LABEL_IMAGE_KIND, LABEL_INSTANCE, LABEL_SANDBOX, LABEL_SCOPE, type ContainerStatsSample, type SandboxDriver, type StatsSubscription } from "./driver";
import { engineBudgets, withDeadline, type EngineOperation } from "./deadline";
import type { ContainerPool } from "./pool";
import { reapOrphanContainers } from "./reaper";

/** A container leased to a project, as monitoring and cleanup see it. */
export interface ActiveSandbox {
  projectId: string;
  containerId: string;
  image: ImageKind;
  boundAt: number;
  lastUsedAt: number;
  /** Executions in flight. */
  busy: number;
}

export interface OrphanSweep {
  /** Containers of other (dead) instances in our scope, or without an instance label. */
  otherInstances: number;
  /** Pool containers of this instance that the pool no longer knows (a destroy that failed). */
  ownUnknown: number;
}

/** A container younger than this may be between `create` and the pool recording it. */
const ORPHAN_GRACE_MS = 120_000;

// `df` on the workspace tmpfs is one statfs: constant cost whatever the tree holds, unlike `du`.
const DF_SCRIPT = `df -kP -- "$1" | { read -r _; read -r _ _ used _; echo "$used"; }`;

/**
 * What the monitoring collector and the cleanup scheduler need from the engine, kept apart from
 * the execution path. Every method is safe to call while executions run.
 */
export class SandboxFleet {
  private readonly budgets: Record<EngineOperation, number>;

  constructor(
    private readonly pool: ContainerPool,
    private readonly driver: SandboxDriver,
    private readonly config: EngineConfig,
    private readonly log: Logger,
  ) {
    this.budgets = engineBudgets(config);
  }

  /** Leased containers that are alive (a dead one waits for its project's next run to be replaced). */
  activeSandboxes(): ActiveSandbox[] {
    return this.pool
      .leaseList()
      .filter((l) => l.dead === null)
      .map((l) => ({
        projectId: l.projectId,
        containerId: l.container.id,
        image: l.container.image,
        boundAt: l.boundAt,
        lastUsedAt: l.lastUsedAt,
        busy: l.busy,
      }));
  }

  streamStats(containerId: string, onSample: (sample: ContainerStatsSample) => void): Promise<StatsSubscription> {
    return this.driver.streamStats(containerId, onSample);
  }

  /**
   * Bytes used in the container's /workspace (one short exec of `df`), or null if it failed. The
   * exec runs under the "stats" deadline: a `df` that does not finish means the project's own
   * processes froze it, and the container is treated as lost like for any engine command.
   */
  async workspaceBytes(containerId: string): Promise<number | null> {
    let out = "";
    const lease = this.pool.leaseByContainer(containerId);
    try {
      const { exitCode } = await withDeadline(
        {
          operation: "stats",
          budgetMs: this.budgets.stats,
          ...(lease ? { lost: lease.died.signal, onExpire: (err: Error) => void this.pool.abandon(lease, err.message) } : {}),
        },
        (signal) =>
          this.driver.exec(containerId, {
            cmd: bashArgs(DF_SCRIPT, "pantheon-df", [WORKSPACE_DIR]),
            user: SANDBOX_USER,
            signal,
            onOutput: (stream, data) => {
              if (stream === "stdout" && out.length < 100) out += data.toString("utf8");
            },
          }),
      );
      const kib = Number(out.trim());
      return exitCode === 0 && out.trim() !== "" && Number.isFinite(kib) ? kib * 1024 : null;
    } catch (err) {
      this.log.debug({ containerId, err: err instanceof Error ? err.message : err }, "workspace df failed");
      return null;
    }
  }

  /** Releases containers idle past `maxIdleMs` (default MAX_IDLE_TIME), and busy ones stuck past their deadline. */
  releaseIdle(maxIdleMs?: number): Promise<string[]> {
    return this.pool.releaseIdle(maxIdleMs);
  }

  /** Removes containers nobody holds: other instances' leftovers, and ours the pool lost track of. */
  async reapOrphans(now = Date.now()): Promise<OrphanSweep> {
    const otherInstances = await reapOrphanContainers(this.driver, this.config, this.log);
    const known = this.pool.knownContainerIds();
    const ours = await this.driver.listByLabel({ [LABEL_SANDBOX]: "1", [LABEL_INSTANCE]: this.config.instanceId });
    // Only pool-made containers (they carry the image label): the posture check's is not ours to judge.
    const lost = ours.filter((c) => c.labels[LABEL_IMAGE_KIND] !== undefined && !known.has(c.id) && c.createdAt < now - ORPHAN_GRACE_MS);
    for (const c of lost) {
      this.log.info({ containerId: c.id, state: c.state }, "removing a container the pool lost track of");
      await this.driver.destroy(c.id);
    }
    return { otherInstances, ownUnknown: lost.length };
  }

  /**
   * The instance labels on this scope's sandbox containers (other than ours), with the youngest
   * container's creation time each: the record sweeper asks the database which are dead.
   */
  async otherInstancesWithContainers(): Promise<Map<string, number>> {
    const containers = await this.driver.listByLabel({ [LABEL_SANDBOX]: "1", [LABEL_SCOPE]: this.config.scope });
    const instances = new Map<string, number>();
    for (const c of containers) {
      const instance = c.labels[LABEL_INSTANCE];
      if (instance === undefined || instance === this.config.instanceId) continue;
      instances.set(instance, Math.max(instances.get(instance) ?? 0, c.createdAt));
    }
    return instances;
  }

  /** Removes every container of a dead instance in this scope (idempotent: a gone one is success). */
  async removeInstanceContainers(instanceId: string): Promise<number> {
    if (instanceId === this.config.instanceId) return 0;
    const containers = await this.driver.listByLabel({ [LABEL_SANDBOX]: "1", [LABEL_SCOPE]: this.config.scope, [LABEL_INSTANCE]: instanceId });
    await Promise.all(
      containers.map(async (c) => {
        this.log.info({ containerId: c.id, instance: instanceId, state: c.state }, "removing a container of a dead server instance");
        await this.driver.destroy(c.id);
      }),
    );
    return containers.length;
  }

  /** Binds since `since` (ms), for sizing the warm pool to demand. */
  bindsSince(since: number): { at: number; image: ImageKind }[] {
    return this.pool.bindsSince(since);
  }

  resizeWarmPool(perImage: number): void {
    this.pool.resize(perImage);
  }

  get warmImages(): readonly ImageKind[] {
    return this.config.warmImages;
  }
}

// What Docker said about each container's end, kept by container id for a while after the pool
// let the container go. A run whose container died asks "was that an OOM kill?" when the pool has
// often already released and removed it (its agent's stream ended first), and under load Docker's
// oom and die events reach us after that: attached to the lease, they were lost, and a memory
// bomb under gVisor was now and then reported as "killed".
//
// dockerd handles one container's events in order (a queue per container) and the kernel's OOM
// notice comes before the exit it causes, so once the die (or destroy) event is here, any oom
// event for the same end is here too.

interface EndRecord {
  ooms: number;
  ended: boolean;
  waiters: Set<() => void>;
}

export class ContainerEnds {
  /** Insertion order is age order: a touched record moves to the end. */
  private readonly records = new Map<string, EndRecord & { at: number }>();

  constructor(
    private readonly keepMs = 120_000,
    private readonly maxRecords = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  noteOom(containerId: string): void {
    this.touch(containerId).ooms++;
  }

  /** The container's die or destroy event: its end is final, and waiters learn it now. */
  noteEnded(containerId: string): void {
    const record = this.touch(containerId);
    record.ended = true;
    for (const wake of record.waiters) wake();
    record.waiters.clear();
  }

  /** OOM events seen for the container so far (a container can survive some under runc). */
  oomsOf(containerId: string): number {
    return this.records.get(containerId)?.ooms ?? 0;
  }

  /** Resolves true once the container's end is known, false after `timeoutMs` without it. */
  whenEnded(containerId: string, timeoutMs: number): Promise<boolean> {
    const record = this.touch(containerId);
    if (record.ended) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        record.waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      record.waiters.add(wake);
    });
  }

  get size(): number {
    return this.records.size;
  }

  private touch(containerId: string): EndRecord {
    const now = this.now();
    let record = this.records.get(containerId);
    if (record) this.records.delete(containerId);
    else record = { ooms: 0, ended: false, waiters: new Set(), at: now };
    record.at = now;
    this.records.set(containerId, record);
    this.prune(now);
    return record;
  }

  private prune(now: number): void {
    for (const [id, record] of this.records) {
      if (this.records.size <= this.maxRecords && now - record.at <= this.keepMs) return;
      // A waiter's own timer answers it; dropping the record only forgets the container.
      this.records.delete(id);
    }
  }
}

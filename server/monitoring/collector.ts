import type { Logger } from "pino";
import type { FleetMetricRow, ProjectMetricRow } from "@/server/repositories/metrics-repository";
import type { EngineStatus } from "@/server/sandbox/engine";
import type { ContainerStatsSample, StatsSubscription } from "@/server/sandbox/driver";
import type { ActiveSandbox } from "@/server/sandbox/fleet";
import type { Observation } from "./alert-rules";
import type { SignalSeries } from "./anomaly";
import type { WindowFigures } from "./execution-window";

// The metrics collector: one Docker stats stream per active container keeps the latest reading
// in memory (Docker pushes one a second; nothing is requested per sample), and every interval a
// tick turns the readings into per-project rows and one fleet row, written in one batch each.
// CPU and network are rates over the tick's own span, from cumulative counters, so a missed
// tick widens the span instead of losing data.

/** What the collector needs from the engine (engine.fleet). */
export interface CollectorSource {
  activeSandboxes(): ActiveSandbox[];
  streamStats(containerId: string, onSample: (sample: ContainerStatsSample) => void): Promise<StatsSubscription>;
  workspaceBytes(containerId: string): Promise<number | null>;
}

export interface CollectorSink {
  writeProjectSamples(rows: ProjectMetricRow[]): Promise<unknown>;
  writeFleetSample(row: FleetMetricRow): Promise<unknown>;
}

export interface ProjectSample {
  projectId: string;
  containerId: string;
  at: Date;
  /** Percent of one core over the tick's span (null on the first reading of a container). */
  cpuPercent: number | null;
  memoryMb: number | null;
  /** Last `df` of /workspace (measured every `diskEvery` ticks), and when. */
  diskMb: number | null;
  diskMeasuredAt: Date | null;
  /** Bytes during the tick's span. */
  netRxBytes: number | null;
  netTxBytes: number | null;
  pids: number | null;
}

export type FleetSample = Omit<FleetMetricRow, "timestamp"> & { at: Date };

export interface CollectorOptions {
  source: () => CollectorSource | undefined;
  status: () => EngineStatus | undefined;
  figures: (now: number) => WindowFigures;
  sink: CollectorSink;
  log: Logger;
  intervalMs: number;
  /** `df` runs on a container every this many ticks (and on first sight). */
  diskEvery: number;
  /** CPU samples kept per project for anomaly detection. */
  historySamples?: number;
  now?: () => number;
}

export interface TickResult {
  projects: ProjectSample[];
  fleet: FleetSample;
  /** Containers whose reading was missing or failed this tick (the others were still collected). */
  skipped: { containerId: string; why: string }[];
}

interface Watch {
  projectId: string;
  containerId: string;
  sub: StatsSubscription | null;
  opening: boolean;
  /** Newest reading from the stream. */
  latest: ContainerStatsSample | null;
  /** The reading the previous tick used (or the stream's first): the start of this tick's span. */
  base: ContainerStatsSample | null;
  diskBytes: number | null;
  diskAt: number | null;
  ticksToDisk: number;
  staggered: boolean;
  /** Ticks to wait before reopening a stream that failed (doubles, capped). */
  retryIn: number;
  failures: number;
}

const MiB = 1024 * 1024;
const DISK_CONCURRENCY = 4;
const round1 = (n: number) => Math.round(n * 10) / 10;
const numericId = (id: string) => (/^\d{1,9}$/.test(id) ? Number(id) : null);

export class MetricsCollector {
  private readonly watches = new Map<string, Watch>();
  private readonly latestByProject = new Map<string, ProjectSample>();
  private readonly cpuHistory = new Map<string, { values: number[]; seenAt: number }>();
  private lastFleet: FleetSample | null = null;
  private stagger = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickResult> | null = null;
  private readonly tickListeners = new Set<(r: TickResult) => void>();

  constructor(private readonly opts: CollectorOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch((e: unknown) => this.opts.log.error({ err: e }, "collector tick failed")), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and closes every stats stream. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    for (const w of this.watches.values()) w.sub?.close();
    this.watches.clear();
  }

  /** Called after every tick (the alert monitor and tests hook in here). */
  onTick(listener: (r: TickResult) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /** One round. Overlapping calls share the round in progress instead of stacking up. */
  tick(): Promise<TickResult> {
    this.running ??= this.collect().finally(() => (this.running = null));
    return this.running;
  }

  latest(projectId: string): ProjectSample | undefined {
    return this.latestByProject.get(projectId);
  }

  latestFleet(): FleetSample | null {
    return this.lastFleet;
  }

  /** The last tick's per-container figures, as alert observations. */
  observations(): Observation[] {
    const out: Observation[] = [];
    for (const s of this.latestByProject.values()) {
      if (s.cpuPercent !== null) out.push({ rule: "cpu_percent", subject: `project ${s.projectId}`, value: s.cpuPercent });
      if (s.memoryMb !== null) out.push({ rule: "memory_mb", subject: `project ${s.projectId}`, value: s.memoryMb });
    }
    return out;
  }

  /** CPU per project, one value per tick, oldest first: the anomaly detector's `cpu_percent` input. */
  cpuSeries(): SignalSeries[] {
    return [...this.cpuHistory].map(([projectId, h]) => ({ subject: { kind: "project", id: projectId }, signal: "cpu_percent", values: [...h.values] }));
  }

  private async collect(): Promise<TickResult> {
    const now = this.now();
    const skipped: TickResult["skipped"] = [];
    let active: ActiveSandbox[] = [];
    const source = this.opts.source();
    try {
      active = source?.activeSandboxes() ?? [];
    } catch (e) {
      this.opts.log.warn({ err: e }, "listing active sandboxes failed");
    }
    if (source) this.reconcile(source, active);
    else this.closeAll();

    const due = [...this.watches.values()].filter((w) => --w.ticksToDisk <= 0);
    if (source) await this.measureDisks(source, due, now);

    const projects: ProjectSample[] = [];
    for (const w of this.watches.values()) {
      try {
        const sample = this.sampleOf(w, now);
        if (sample) projects.push(sample);
        else skipped.push({ containerId: w.containerId, why: w.sub ? "no reading yet" : "stats stream closed" });
      } catch (e) {
        skipped.push({ containerId: w.containerId, why: e instanceof Error ? e.message : String(e) });
      }
    }

    const seen = new Set(projects.map((p) => p.projectId));
    for (const id of this.latestByProject.keys()) if (!seen.has(id)) this.latestByProject.delete(id);
    for (const p of projects) {
      this.latestByProject.set(p.projectId, p);
      if (p.cpuPercent !== null) this.remember(p.projectId, p.cpuPercent, now);
    }
    // A project gone for 10 minutes loses its CPU history (a new container starts afresh).
    for (const [id, h] of this.cpuHistory) if (h.seenAt < now - 10 * 60_000) this.cpuHistory.delete(id);

    const fleet = this.fleetSample(projects, now);
    this.lastFleet = fleet;
    await this.write(projects, fleet);
    const result = { projects, fleet, skipped };
    for (const l of this.tickListeners) {
      try {
        l(result);
      } catch (e) {
        this.opts.log.warn({ err: e }, "collector tick listener failed");
      }
    }
    return result;
  }

  private reconcile(source: CollectorSource, active: ActiveSandbox[]): void {
    const live = new Set(active.map((s) => s.containerId));
    for (const [id, w] of this.watches) {
      if (live.has(id)) continue;
      w.sub?.close();
      this.watches.delete(id);
    }
    for (const s of active) {
      let w = this.watches.get(s.containerId);
      if (!w) {
        w = {
          projectId: s.projectId,
          containerId: s.containerId,
          sub: null,
          opening: false,
          latest: null,
          base: null,
          diskBytes: null,
          diskAt: null,
          ticksToDisk: 0,
          staggered: false,
          retryIn: 0,
          failures: 0,
        };
        this.watches.set(s.containerId, w);
      }
      if (!w.sub && !w.opening && --w.retryIn <= 0) this.open(source, w);
    }
  }

  /** Opens the container's one stats stream; a failure is retried on later ticks with backoff. */
  private open(source: CollectorSource, w: Watch): void {
    w.opening = true;
    const onSample = (sample: ContainerStatsSample) => {
      w.base ??= sample;
      w.latest = sample;
    };
    source.streamStats(w.containerId, onSample).then(
      (sub) => {
        w.opening = false;
        if (this.watches.get(w.containerId) !== w) {
          sub.close();
          return;
        }
        w.sub = sub;
        w.failures = 0;
        void sub.closed.then(() => {
          if (w.sub === sub) w.sub = null;
          w.retryIn = 1;
        });
      },
      (e: unknown) => {
        w.opening = false;
        w.failures++;
        w.retryIn = Math.min(32, 2 ** (w.failures - 1));
        this.opts.log.warn(
          { containerId: w.containerId, projectId: w.projectId, failures: w.failures, err: e instanceof Error ? e.message : e },
          "opening a stats stream failed; retrying",
        );
      },
    );
  }

  private closeAll(): void {
    for (const w of this.watches.values()) w.sub?.close();
    this.watches.clear();
  }

  private async measureDisks(source: CollectorSource, due: Watch[], now: number): Promise<void> {
    const queue = [...due];
    const worker = async () => {
      for (let w = queue.shift(); w; w = queue.shift()) {
        // After the first measurement, containers seen together are spread over the next
        // `diskEvery` ticks, so their execs do not all land in the same tick.
        w.ticksToDisk = this.opts.diskEvery + (w.staggered ? 0 : this.stagger++ % this.opts.diskEvery);
        w.staggered = true;
        try {
          const bytes = await source.workspaceBytes(w.containerId);
          if (bytes !== null) {
            w.diskBytes = bytes;
            w.diskAt = now;
          }
        } catch (e) {
          this.opts.log.debug({ containerId: w.containerId, err: e }, "workspace size failed");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DISK_CONCURRENCY, queue.length) }, worker));
  }

  private sampleOf(w: Watch, now: number): ProjectSample | null {
    const latest = w.latest;
    // A reading older than three intervals means the stream stalled: no figure beats a stale one.
    if (!latest || latest.readAt < now - 3 * this.opts.intervalMs - 2_000) return null;
    const base = w.base ?? latest;
    const spanMs = latest.readAt - base.readAt;
    let cpuPercent: number | null = null;
    let netRxBytes: number | null = null;
    let netTxBytes: number | null = null;
    if (spanMs > 0) {
      if (latest.cpuTotalNs !== null && base.cpuTotalNs !== null) cpuPercent = round1(Math.max(0, latest.cpuTotalNs - base.cpuTotalNs) / (spanMs * 1e4));
      netRxBytes = Math.max(0, latest.netRxBytes - base.netRxBytes);
      netTxBytes = Math.max(0, latest.netTxBytes - base.netTxBytes);
    }
    w.base = latest;
    return {
      projectId: w.projectId,
      containerId: w.containerId,
      at: new Date(now),
      cpuPercent,
      memoryMb: latest.memoryBytes === null ? null : round1(latest.memoryBytes / MiB),
      diskMb: w.diskBytes === null ? null : round1(w.diskBytes / MiB),
      diskMeasuredAt: w.diskAt === null ? null : new Date(w.diskAt),
      netRxBytes,
      netTxBytes,
      pids: latest.pids,
    };
  }

  private remember(projectId: string, cpu: number, now: number): void {
    const max = this.opts.historySamples ?? 120;
    const h = this.cpuHistory.get(projectId) ?? { values: [], seenAt: now };
    h.values.push(cpu);
    if (h.values.length > max) h.values.splice(0, h.values.length - max);
    h.seenAt = now;
    this.cpuHistory.set(projectId, h);
  }

  private fleetSample(projects: ProjectSample[], now: number): FleetSample {
    const status = this.opts.status();
    const f = this.opts.figures(now);
    const warm = Object.values(status?.pool.warm ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    return {
      at: new Date(now),
      activeSandboxes: status?.pool.leased ?? projects.length,
      warmContainers: warm,
      activeExecutions: status?.activeExecutions ?? 0,
      executionsPerMinute: f.executionsPerMinute,
      errorRate: f.errorRate,
      p50Ms: f.p50Ms,
      p95Ms: f.p95Ms,
      cpuPercent: round1(projects.reduce((a, p) => a + (p.cpuPercent ?? 0), 0)),
      memoryMb: round1(projects.reduce((a, p) => a + (p.memoryMb ?? 0), 0)),
    };
  }

  /** Rows of the tick: only numeric project ids are database projects (test engines use names). */
  private async write(projects: ProjectSample[], fleet: FleetSample): Promise<void> {
    const rows: ProjectMetricRow[] = [];
    for (const p of projects) {
      const projectId = numericId(p.projectId);
      if (projectId === null) continue;
      const add = (metricType: ProjectMetricRow["metricType"], value: number | null) => {
        if (value !== null) rows.push({ projectId, metricType, value, timestamp: p.at });
      };
      add("cpu_percent", p.cpuPercent);
      add("memory_mb", p.memoryMb);
      // Disk only when it was measured this tick: a carried-forward value would repeat stale data.
      if (p.diskMeasuredAt?.getTime() === p.at.getTime()) add("disk_mb", p.diskMb);
      add("net_rx_bytes", p.netRxBytes);
      add("net_tx_bytes", p.netTxBytes);
      add("pids", p.pids);
    }
    const { at, ...figures } = fleet;
    const results = await Promise.allSettled([this.opts.sink.writeProjectSamples(rows), this.opts.sink.writeFleetSample({ timestamp: at, ...figures })]);
    for (const r of results)
      if (r.status === "rejected") this.opts.log.warn({ err: r.reason as unknown }, "writing metrics failed; the next tick writes its own");
  }
}

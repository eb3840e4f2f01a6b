// Fleet figures over the last minute (executions/min, error rate, p50/p95) come from the
// executions themselves, not from Prometheus buckets: percentiles from histogram buckets are
// only as exact as the bucket bounds, and the admin page wants the real figure.

export interface ExecutionSample {
  at: number;
  status: string;
  durationMs: number;
}

export interface WindowFigures {
  executionsPerMinute: number;
  /** Share of executions that did not succeed, 0..1 (0 when there were none). */
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
}

/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export class ExecutionWindow {
  private samples: ExecutionSample[] = [];

  // The cap bounds memory under a burst: past it the oldest samples go first.
  constructor(
    private readonly windowMs = 60_000,
    private readonly maxSamples = 50_000,
  ) {}

  add(sample: ExecutionSample): void {
    this.samples.push(sample);
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  figures(now: number): WindowFigures {
    const since = now - this.windowMs;
    this.samples = this.samples.filter((s) => s.at > since);
    const n = this.samples.length;
    if (n === 0) return { executionsPerMinute: 0, errorRate: 0, p50Ms: 0, p95Ms: 0 };
    const failed = this.samples.filter((s) => s.status !== "success").length;
    const durations = this.samples.map((s) => s.durationMs).sort((a, b) => a - b);
    return {
      executionsPerMinute: (n * 60_000) / this.windowMs,
      errorRate: failed / n,
      p50Ms: percentile(durations, 50),
      p95Ms: percentile(durations, 95),
    };
  }
}

import type { Logger } from "pino";
import { type AnomalyConfig, type AnomalyFlag, DEFAULT_ANOMALY_CONFIG, detectAnomalies, type SignalSeries } from "./anomaly";

export interface AnomalyScan {
  at: Date;
  flags: AnomalyFlag[];
  /** Sources that failed this scan (the others were still scanned). */
  errors: string[];
}

export interface AnomalyScannerOptions {
  /** Executions, timeouts and OOMs from the database (detectExecutionAnomalies). */
  executionFlags: (now: Date) => Promise<AnomalyFlag[]>;
  /** In-memory series: CPU from the collector, failed sign-ins and rejected paths from the counters. */
  series: (now: Date) => SignalSeries[];
  log: Logger;
  intervalMs?: number;
  config?: AnomalyConfig;
  now?: () => Date;
}

const keyOf = (f: AnomalyFlag) => `${f.subject.kind}/${f.subject.id}/${f.signal}/${f.reason}`;

/**
 * Runs every detector once a minute and keeps the latest flags for the admin page (which then
 * reads memory, not the database, on every refresh). A flag is logged when it first appears,
 * not again while it persists, so the log gets one line per anomaly rather than one per minute.
 */
export class AnomalyScanner {
  private last: AnomalyScan | null = null;
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private running: Promise<AnomalyScan> | null = null;

  constructor(private readonly opts: AnomalyScannerOptions) {}

  /** Scans every `intervalMs`, and once shortly after start so the admin page has flags early. */
  start(firstAfterMs = 10_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.scan().catch(() => {}), this.opts.intervalMs ?? 60_000);
    this.timer.unref();
    this.first = setTimeout(() => void this.scan().catch(() => {}), firstAfterMs);
    this.first.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.first) clearTimeout(this.first);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  latest(): AnomalyScan | null {
    return this.last;
  }

  scan(): Promise<AnomalyScan> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<AnomalyScan> {
    const now = (this.opts.now ?? (() => new Date()))();
    const flags: AnomalyFlag[] = [];
    const errors: string[] = [];
    try {
      flags.push(...(await this.opts.executionFlags(now)));
    } catch (e) {
      errors.push(`executions: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      flags.push(...detectAnomalies(this.opts.series(now), this.opts.config ?? DEFAULT_ANOMALY_CONFIG));
    } catch (e) {
      errors.push(`in-memory series: ${e instanceof Error ? e.message : String(e)}`);
    }
    const before = new Set((this.last?.flags ?? []).map(keyOf));
    for (const f of flags) {
      if (!before.has(keyOf(f)))
        this.opts.log.warn({ anomaly: f.signal, reason: f.reason, subject: f.subject, value: f.value, baseline: f.baseline, z: f.z }, f.message);
    }
    if (errors.length) this.opts.log.warn({ errors }, "anomaly scan incomplete");
    this.last = { at: now, flags, errors };
    return this.last;
  }
}

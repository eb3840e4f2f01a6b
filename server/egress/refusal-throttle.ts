// Refusals are cheap for a sandbox to cause and used to cost the app a log line, a policy query and
// (in "open" mode) a DNS lookup each: a loop of refused CONNECTs produced ~800 log lines a second.
// Per project, in memory (a tunnel is served by the app instance that owns the container):
// the first refusals of a window are logged one by one, later ones are counted and summarized in
// one line per project per window, and past a budget the project's new connections are answered
// 429 at once (no policy lookup, no DNS) until the block expires.
import type { Logger } from "pino";
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";

export interface RefusalThrottleLimits {
  /** Window length, seconds. */
  windowSeconds: number;
  /** Refusals per project per window logged one line each; the rest go into the summary. */
  loggedPerWindow: number;
  /** Refusals per project per window before the project is blocked. */
  budgetPerWindow: number;
  /** How long a project that spent its budget gets 429 for every new connection, seconds. */
  blockSeconds: number;
}

export const DEFAULT_REFUSAL_LIMITS: RefusalThrottleLimits = { windowSeconds: 10, loggedPerWindow: 10, budgetPerWindow: 50, blockSeconds: 10 };

interface Suppressed {
  refusals: number;
  throttled: number;
  reasons: Map<string, number>;
}

const MAX_REASONS_IN_SUMMARY = 5;
const MAX_REASONS_TRACKED = 50;

export class RefusalThrottle {
  readonly limits: RefusalThrottleLimits;
  private readonly limiter: RateLimiterMemory;
  private readonly suppressed = new Map<string, Suppressed>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    limits: Partial<RefusalThrottleLimits> = {},
  ) {
    this.limits = { ...DEFAULT_REFUSAL_LIMITS, ...limits };
    this.limiter = new RateLimiterMemory({
      keyPrefix: "egress-refusals",
      points: this.limits.budgetPerWindow,
      duration: this.limits.windowSeconds,
      blockDuration: this.limits.blockSeconds,
    });
  }

  /** Milliseconds the project stays blocked; 0 when it may connect. */
  async blockedFor(projectId: string): Promise<number> {
    const res = await this.limiter.get(projectId);
    return res && res.consumedPoints > this.limits.budgetPerWindow ? Math.max(1, res.msBeforeNext) : 0;
  }

  /** Counts one refusal; true when it should be logged on a line of its own. */
  async refused(projectId: string, reason: string): Promise<boolean> {
    let consumed: number;
    try {
      consumed = (await this.limiter.consume(projectId)).consumedPoints;
    } catch (res) {
      consumed = (res as RateLimiterRes).consumedPoints;
    }
    if (consumed <= this.limits.loggedPerWindow) return true;
    this.suppress(projectId, reason, "refusals");
    return false;
  }

  /** A connection answered 429 while the project is blocked (summarized, never logged alone). */
  throttled(projectId: string): void {
    this.suppress(projectId, "too many refused connections", "throttled");
  }

  private suppress(projectId: string, reason: string, counter: "refusals" | "throttled"): void {
    let entry = this.suppressed.get(projectId);
    if (!entry) {
      entry = { refusals: 0, throttled: 0, reasons: new Map() };
      this.suppressed.set(projectId, entry);
    }
    entry[counter]++;
    // Reasons embed host names the sandbox chose: bounded so a flood of distinct names cannot grow it.
    if (entry.reasons.has(reason) || entry.reasons.size < MAX_REASONS_TRACKED) entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
    this.timer ??= setTimeout(() => this.flush(), this.limits.windowSeconds * 1000).unref();
  }

  /** One line per project with what was not logged since the last summary. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [projectId, entry] of this.suppressed) {
      const reasons = Object.fromEntries([...entry.reasons].sort((a, b) => b[1] - a[1]).slice(0, MAX_REASONS_IN_SUMMARY));
      this.log.warn(
        { projectId, suppressedRefusals: entry.refusals, throttledConnections: entry.throttled, reasons, windowSeconds: this.limits.windowSeconds },
        "egress refusals throttled",
      );
    }
    this.suppressed.clear();
  }

  stop(): void {
    this.flush();
  }
}

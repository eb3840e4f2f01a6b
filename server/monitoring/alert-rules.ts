import { type Env, parseEnv } from "@/lib/env";
// Alert state machine, pure: the collector feeds it one snapshot per tick and it answers with
// the transitions (raised, resolved) to store and notify. Flapping is damped two ways: a value
// must stay above its threshold for `raiseAfter` ticks to raise, and below a lower "clear"
// level (threshold minus hysteresis) for `resolveAfter` ticks to resolve. A value hovering
// around the threshold therefore raises once and stays raised, instead of a storm.

export const ALERT_RULES = ["cpu_percent", "memory_mb", "error_rate", "execution_time_ms", "concurrent_sandboxes"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** The thresholds as the SANDBOX_ALERT_* settings give them (lib/env.ts parses and validates them). */
export function alertThresholds(env: AlertThresholdEnv): Record<AlertRule, number> {
  return {
    cpu_percent: env.SANDBOX_ALERT_CPU_PERCENT,
    memory_mb: env.SANDBOX_ALERT_MEMORY_MB,
    error_rate: env.SANDBOX_ALERT_ERROR_RATE,
    execution_time_ms: env.SANDBOX_ALERT_EXECUTION_TIMEOUT_MS,
    concurrent_sandboxes: env.SANDBOX_ALERT_MAX_CONCURRENT,
  };
}
export type AlertThresholdEnv = Pick<
  Env,
  "SANDBOX_ALERT_CPU_PERCENT" | "SANDBOX_ALERT_MEMORY_MB" | "SANDBOX_ALERT_ERROR_RATE" | "SANDBOX_ALERT_EXECUTION_TIMEOUT_MS" | "SANDBOX_ALERT_MAX_CONCURRENT"
>;

/** The seed's thresholds: lib/env.ts's defaults, written there once; every one can be overridden. */
export const DEFAULT_THRESHOLDS: Record<AlertRule, number> = alertThresholds(parseEnv({}));

export interface AlertPolicy {
  thresholds: Record<AlertRule, number>;
  /** Fraction of the threshold the value must fall below to count as back to normal. */
  hysteresis: number;
  raiseAfter: number;
  resolveAfter: number;
}

export const DEFAULT_POLICY: AlertPolicy = { thresholds: DEFAULT_THRESHOLDS, hysteresis: 0.1, raiseAfter: 2, resolveAfter: 3 };

/** One measured value; subject is "fleet" or the project / container it belongs to. */
export interface Observation {
  rule: AlertRule;
  subject: string;
  value: number;
}

export interface AlertTransition {
  kind: "raised" | "resolved";
  rule: AlertRule;
  subject: string;
  value: number;
  threshold: number;
  at: Date;
  /** When the alert was raised (equals `at` for "raised"). */
  since: Date;
  /** Highest value while the alert was open (equals `value` for "raised"). */
  peak: number;
  message: string;
}

interface Track {
  above: number;
  below: number;
  open: { since: Date; peak: number } | null;
}

const keyOf = (rule: AlertRule, subject: string) => `${rule}\u0000${subject}`;

export class AlertStateMachine {
  private readonly tracks = new Map<string, Track & { rule: AlertRule; subject: string }>();

  constructor(private readonly policy: AlertPolicy = DEFAULT_POLICY) {}

  /**
   * One tick. `observations` is the whole snapshot: a key that was tracked but is absent now
   * (the container is gone) counts as a normal sample, so its alert resolves rather than
   * staying open forever.
   */
  observe(observations: readonly Observation[], at: Date): AlertTransition[] {
    const out: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const o of observations) {
      const key = keyOf(o.rule, o.subject);
      seen.add(key);
      let track = this.tracks.get(key);
      if (!track) {
        track = { rule: o.rule, subject: o.subject, above: 0, below: 0, open: null };
        this.tracks.set(key, track);
      }
      const t = this.step(track, o.value, at);
      if (t) out.push(t);
    }
    for (const [key, track] of this.tracks) {
      if (seen.has(key)) continue;
      const t = this.step(track, 0, at);
      if (t) out.push(t);
    }
    for (const [key, track] of this.tracks) if (!track.open && track.above === 0 && !seen.has(key)) this.tracks.delete(key);
    return out;
  }

  /** Alerts currently raised. */
  open(): { rule: AlertRule; subject: string; since: Date; peak: number }[] {
    return [...this.tracks.values()].flatMap((t) => (t.open ? [{ rule: t.rule, subject: t.subject, since: t.open.since, peak: t.open.peak }] : []));
  }

  private step(track: Track & { rule: AlertRule; subject: string }, value: number, at: Date): AlertTransition | null {
    const threshold = this.policy.thresholds[track.rule];
    const clearBelow = threshold * (1 - this.policy.hysteresis);
    if (value > threshold) {
      track.above += 1;
      track.below = 0;
    } else if (value < clearBelow) {
      track.below += 1;
      track.above = 0;
    } else {
      // In the hysteresis band: neither raises nor counts towards resolving.
      track.above = 0;
      track.below = 0;
    }
    if (track.open) {
      track.open.peak = Math.max(track.open.peak, value);
      if (track.below < this.policy.resolveAfter) return null;
      const { since, peak } = track.open;
      track.open = null;
      return {
        kind: "resolved",
        rule: track.rule,
        subject: track.subject,
        value,
        threshold,
        at,
        since,
        peak,
        message: `${describe(track.rule)} on ${track.subject} back to ${fmt(track.rule, value)}`,
      };
    }
    if (track.above < this.policy.raiseAfter) return null;
    track.open = { since: at, peak: value };
    return {
      kind: "raised",
      rule: track.rule,
      subject: track.subject,
      value,
      threshold,
      at,
      since: at,
      peak: value,
      message: `${describe(track.rule)} on ${track.subject} is ${fmt(track.rule, value)}, above ${fmt(track.rule, threshold)}`,
    };
  }
}

function describe(rule: AlertRule): string {
  return {
    cpu_percent: "CPU",
    memory_mb: "Memory",
    error_rate: "Error rate",
    execution_time_ms: "Execution time",
    concurrent_sandboxes: "Concurrent sandboxes",
  }[rule];
}

function fmt(rule: AlertRule, v: number): string {
  if (rule === "cpu_percent") return `${v.toFixed(1)} %`;
  if (rule === "memory_mb") return `${v.toFixed(0)} MB`;
  if (rule === "error_rate") return `${(v * 100).toFixed(1)} %`;
  if (rule === "execution_time_ms") return `${(v / 1000).toFixed(1)} s`;
  return String(v);
}

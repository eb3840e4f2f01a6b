import { robustZ } from "./robust-stats";

// Anomaly detection, pure: the caller buckets its events per subject (per minute, or per
// collector sample for CPU) and passes the series; this answers with flags that each carry
// their reason and numbers. The method is documented in ANOMALY.md.

export const ANOMALY_SIGNALS = ["executions", "cpu_percent", "timeouts", "ooms", "failed_sign_ins", "rejected_paths"] as const;
export type AnomalySignal = (typeof ANOMALY_SIGNALS)[number];

export interface AnomalySubject {
  kind: "project" | "user";
  id: string;
}

export interface SignalSeries {
  subject: AnomalySubject;
  signal: AnomalySignal;
  /** Oldest first; the last value is the current bucket. */
  values: readonly number[];
}

export interface SignalRule {
  /** The current value must reach this to be flagged at all (no alarms about 0 → 2). */
  floor: number;
  zThreshold: number;
  /** Stand-in for a MAD of 0, in the signal's unit. */
  minMad: number;
  /** Past buckets compared with the current one; fewer than minHistory skips the self check. */
  historyBuckets: number;
  minHistory: number;
  /** Absolute rule: the total over the last `buckets` reaching `total` is flagged whatever the history. */
  repeated?: { buckets: number; total: number };
  /** Absolute rule: every one of the last `samples` at or above `level`. */
  sustained?: { samples: number; level: number };
}

export interface AnomalyConfig {
  rules: Record<AnomalySignal, SignalRule>;
  /** The fleet comparison needs this many subjects of the same kind, or it says nothing. */
  minFleet: number;
}

const z = 3.5; // Iglewicz and Hoaglin's recommended cut-off for the modified z-score.
export const DEFAULT_ANOMALY_CONFIG: AnomalyConfig = {
  minFleet: 5,
  rules: {
    executions: { floor: 30, zThreshold: z, minMad: 2, historyBuckets: 60, minHistory: 10 },
    // 5 s samples: 24 samples is two minutes pinned at the quota, what a miner looks like.
    cpu_percent: { floor: 90, zThreshold: z, minMad: 5, historyBuckets: 120, minHistory: 24, sustained: { samples: 24, level: 95 } },
    timeouts: { floor: 3, zThreshold: z, minMad: 1, historyBuckets: 60, minHistory: 10, repeated: { buckets: 10, total: 5 } },
    ooms: { floor: 2, zThreshold: z, minMad: 1, historyBuckets: 60, minHistory: 10, repeated: { buckets: 10, total: 3 } },
    failed_sign_ins: { floor: 5, zThreshold: z, minMad: 1, historyBuckets: 60, minHistory: 10, repeated: { buckets: 10, total: 10 } },
    rejected_paths: { floor: 5, zThreshold: z, minMad: 1, historyBuckets: 60, minHistory: 10, repeated: { buckets: 10, total: 20 } },
  },
};

export type AnomalyReason = "self" | "fleet" | "repeated" | "sustained";

export interface AnomalyFlag {
  subject: AnomalySubject;
  signal: AnomalySignal;
  reason: AnomalyReason;
  value: number;
  /** Median of the history (self) or of the other subjects (fleet); the limit for absolute rules. */
  baseline: number;
  mad: number | null;
  z: number | null;
  message: string;
}

const name = (s: AnomalySubject) => `${s.kind} ${s.id}`;
const round = (n: number) => Math.round(n * 100) / 100;

export function detectAnomalies(series: readonly SignalSeries[], config: AnomalyConfig = DEFAULT_ANOMALY_CONFIG): AnomalyFlag[] {
  const flags: AnomalyFlag[] = [];
  for (const s of series) flags.push(...selfFlags(s, config.rules[s.signal]));
  flags.push(...fleetFlags(series, config));
  return flags;
}

function selfFlags(s: SignalSeries, rule: SignalRule): AnomalyFlag[] {
  const out: AnomalyFlag[] = [];
  const current = s.values.at(-1);
  if (current === undefined) return out;
  const base = { subject: s.subject, signal: s.signal };

  if (rule.sustained && s.values.length >= rule.sustained.samples) {
    const last = s.values.slice(-rule.sustained.samples);
    if (last.every((v) => v >= (rule.sustained?.level ?? Infinity))) {
      const { samples, level } = rule.sustained;
      out.push({
        ...base,
        reason: "sustained",
        value: round(Math.min(...last)),
        baseline: level,
        mad: null,
        z: null,
        message: `${name(s.subject)}: ${s.signal} at or above ${level} for the last ${samples} samples (lowest ${round(Math.min(...last))})`,
      });
    }
  }
  if (rule.repeated) {
    const total = s.values.slice(-rule.repeated.buckets).reduce((a, b) => a + b, 0);
    if (total >= rule.repeated.total)
      out.push({
        ...base,
        reason: "repeated",
        value: total,
        baseline: rule.repeated.total,
        mad: null,
        z: null,
        message: `${name(s.subject)}: ${total} ${s.signal} in the last ${rule.repeated.buckets} buckets (limit ${rule.repeated.total})`,
      });
  }
  const history = s.values.slice(0, -1).slice(-rule.historyBuckets);
  if (history.length >= rule.minHistory && current >= rule.floor) {
    const r = robustZ(current, history, rule.minMad);
    if (r.z >= rule.zThreshold)
      out.push({
        ...base,
        reason: "self",
        value: current,
        baseline: r.median,
        mad: r.mad,
        z: round(r.z),
        message: `${name(s.subject)}: ${s.signal} ${current} against its own median ${r.median} (MAD ${r.mad}, z ${round(r.z)})`,
      });
  }
  return out;
}

/** Each subject's current value against the others' of the same kind and signal (leave-one-out). */
function fleetFlags(series: readonly SignalSeries[], config: AnomalyConfig): AnomalyFlag[] {
  const groups = new Map<string, SignalSeries[]>();
  for (const s of series) {
    const key = `${s.subject.kind}/${s.signal}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: AnomalyFlag[] = [];
  for (const group of groups.values()) {
    if (group.length < config.minFleet) continue;
    const currents = group.map((s) => s.values.at(-1) ?? 0);
    group.forEach((s, i) => {
      const rule = config.rules[s.signal];
      const x = currents[i] ?? 0;
      if (x < rule.floor) return;
      const others = currents.filter((_, j) => j !== i);
      const r = robustZ(x, others, rule.minMad);
      if (r.z >= rule.zThreshold)
        out.push({
          subject: s.subject,
          signal: s.signal,
          reason: "fleet",
          value: x,
          baseline: r.median,
          mad: r.mad,
          z: round(r.z),
          message: `${name(s.subject)}: ${s.signal} ${x} against the fleet's median ${r.median} over ${others.length} others (MAD ${r.mad}, z ${round(r.z)})`,
        });
    });
  }
  return out;
}

import type { ExecutionBucketRow } from "@/server/repositories/execution-stats-repository";
import type { AnomalySignal, AnomalySubject, SignalSeries } from "./anomaly";

/** Executions of one project (and user) in one minute, as the stats repository counts them. */
export type ExecutionBucket = ExecutionBucketRow;

const SIGNALS: [AnomalySignal, (b: ExecutionBucket) => number][] = [
  ["executions", (b) => b.total],
  ["timeouts", (b) => b.timeouts],
  ["ooms", (b) => b.ooms],
];

/**
 * Per-minute execution buckets (sparse: minutes without executions are absent) → dense series
 * per project and per user, oldest first, ending at the minute of `now`. Empty minutes must be
 * zeros, or a quiet project's history would look as busy as its few active minutes.
 */
export function executionSeries(buckets: readonly ExecutionBucket[], now: Date, minutes: number): SignalSeries[] {
  const end = Math.floor(now.getTime() / 60_000);
  const start = end - minutes + 1;
  const dense = new Map<string, { subject: AnomalySubject; signal: AnomalySignal; values: number[] }>();
  const add = (subject: AnomalySubject, signal: AnomalySignal, index: number, n: number) => {
    const key = `${subject.kind}/${subject.id}/${signal}`;
    let s = dense.get(key);
    if (!s) {
      s = { subject, signal, values: Array<number>(minutes).fill(0) };
      dense.set(key, s);
    }
    s.values[index] = (s.values[index] ?? 0) + n;
  };
  for (const b of buckets) {
    const index = Math.floor(b.minute.getTime() / 60_000) - start;
    if (index < 0 || index >= minutes) continue;
    for (const [signal, pick] of SIGNALS) {
      add({ kind: "project", id: String(b.projectId) }, signal, index, pick(b));
      if (b.userId !== null) add({ kind: "user", id: String(b.userId) }, signal, index, pick(b));
    }
  }
  return [...dense.values()];
}

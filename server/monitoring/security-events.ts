import { getAppRuntime } from "@/server/process/app-runtime";
import type { AnomalySignal, AnomalySubject, SignalSeries } from "./anomaly";

// Failed sign-ins and rejected paths are not stored anywhere else, so they are counted here, in
// memory, per subject and minute, for the anomaly detector. Bounded: an hour of minutes, and at
// most `maxSubjects` subjects (an attacker cycling through made-up emails evicts the oldest
// entries instead of growing the map).

type CountedSignal = Extract<AnomalySignal, "failed_sign_ins" | "rejected_paths">;

interface Counter {
  subject: AnomalySubject;
  signal: CountedSignal;
  /** minute number → count */
  minutes: Map<number, number>;
  lastMinute: number;
}

export class MinuteCounters {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly windowMinutes = 60,
    private readonly maxSubjects = 10_000,
  ) {}

  record(subject: AnomalySubject, signal: CountedSignal, n = 1, now = Date.now()): void {
    const minute = Math.floor(now / 60_000);
    const key = `${subject.kind}/${subject.id}/${signal}`;
    let c = this.counters.get(key);
    if (c) this.counters.delete(key); // re-inserted below: the map's order is least recently used first
    c ??= { subject, signal, minutes: new Map(), lastMinute: minute };
    c.minutes.set(minute, (c.minutes.get(minute) ?? 0) + n);
    c.lastMinute = minute;
    for (const m of c.minutes.keys()) if (m <= minute - this.windowMinutes) c.minutes.delete(m);
    this.counters.set(key, c);
    while (this.counters.size > this.maxSubjects) {
      const oldest = this.counters.keys().next().value;
      if (oldest === undefined) break;
      this.counters.delete(oldest);
    }
  }

  /** Dense per-minute series ending at the minute of `now`, oldest first. */
  series(now = Date.now()): SignalSeries[] {
    const end = Math.floor(now / 60_000);
    const out: SignalSeries[] = [];
    for (const [key, c] of this.counters) {
      if (c.lastMinute <= end - this.windowMinutes) {
        this.counters.delete(key);
        continue;
      }
      const values = Array.from({ length: this.windowMinutes }, (_, i) => c.minutes.get(end - this.windowMinutes + 1 + i) ?? 0);
      out.push({ subject: c.subject, signal: c.signal, values });
    }
    return out;
  }

  get size(): number {
    return this.counters.size;
  }
}

// One instance per process: sign-in runs in Next's route bundle, detection in the custom server.

export function securityCounters(): MinuteCounters {
  const runtime = getAppRuntime();
  runtime.securityCounters ??= new MinuteCounters();
  return runtime.securityCounters;
}

/**
 * A failed sign-in, counted against the account when the email names one, otherwise against the
 * email tried (guessing at accounts that do not exist is worth seeing too). Never throws.
 */
export function recordFailedSignIn(attempt: { userId: number | null; email: string | null }): void {
  try {
    const id = attempt.userId !== null ? String(attempt.userId) : `unknown:${(attempt.email ?? "(invalid email)").slice(0, 320)}`;
    securityCounters().record({ kind: "user", id }, "failed_sign_ins");
  } catch {
    // Counting must never fail a sign-in.
  }
}

/** Paths refused by the file rules (`..`, absolute, NUL...) or by the sync, per user and project. Never throws. */
export function recordRejectedPaths(who: { userId: number | null; projectId: number | null }, n = 1): void {
  try {
    if (n <= 0) return;
    if (who.userId !== null) securityCounters().record({ kind: "user", id: String(who.userId) }, "rejected_paths", n);
    if (who.projectId !== null) securityCounters().record({ kind: "project", id: String(who.projectId) }, "rejected_paths", n);
  } catch {
    // Counting must never fail the request.
  }
}

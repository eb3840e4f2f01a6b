// An open-load scheduler for benchmarks: requests ARRIVE at a fixed offered rate whatever the
// system under test does, and each latency runs from the request's scheduled arrival. A closed
// loop (send, await, send) slows its own arrivals down when the system is slow, so it hides the
// queueing it causes ("coordinated omission") and measures only saturation; this measures the
// latency a given throughput costs. When the sender itself falls behind (a busy event loop), the
// late requests carry that lateness too, as a user arriving on time would.

export interface OpenLoadOptions {
  /** Offered arrivals per second, in total over all projects. */
  rate: number;
  /** Measured seconds, after the warm-up. */
  durationSeconds: number;
  /** Seconds of arrivals sent first whose results are dropped. */
  warmupSeconds: number;
  /** Arrivals go round-robin over projects 0 … projects-1. */
  projects: number;
  /** Arrivals beyond this many requests in flight are not sent (counted in `dropped`): a bound on a server that stopped answering. */
  maxOutstanding?: number;
  /** Random delay of each arrival, up to this fraction of the spacing (below 1 keeps arrivals in order); 0 is exact spacing. */
  jitter?: number;
  random?: () => number;
}

export interface OpenLoadResult {
  /** Milliseconds from scheduled arrival to completion, of the measured arrivals that succeeded. */
  latencies: number[];
  /** Measured arrivals whose fire() rejected. */
  errors: number;
  /** The first measured rejection's reason. */
  firstError: unknown;
  /** Measured arrivals not sent because maxOutstanding requests were in flight. */
  dropped: number;
  /** The largest number of requests in flight at once (warm-up included). */
  peakOutstanding: number;
  /** Seconds from the first measured arrival to the last measured completion (success or error). */
  wallSeconds: number;
  /** Successful measured completions per wall second. */
  achievedRate: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fire(projectIndex)` at the offered rate for the warm-up plus the duration, then awaits every request sent. */
export async function runOpenLoad(fire: (projectIndex: number) => Promise<void>, options: OpenLoadOptions): Promise<OpenLoadResult> {
  const { rate, durationSeconds, warmupSeconds, projects, maxOutstanding = 2000, jitter = 0.5, random = Math.random } = options;
  if (!(rate > 0) || !(projects >= 1) || !(durationSeconds > 0) || !(warmupSeconds >= 0)) {
    throw new Error(`open load needs rate > 0, projects ≥ 1, duration > 0, warm-up ≥ 0 (got ${rate}/s, ${projects}, ${durationSeconds} s, ${warmupSeconds} s)`);
  }
  const spacing = 1000 / rate;
  const warmupArrivals = Math.round(warmupSeconds * rate);
  const arrivals = warmupArrivals + Math.round(durationSeconds * rate);
  const result: OpenLoadResult = { latencies: [], errors: 0, firstError: undefined, dropped: 0, peakOutstanding: 0, wallSeconds: 0, achievedRate: 0 };
  let outstanding = 0;
  let firstMeasured = NaN;
  let lastCompletion = NaN;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < arrivals; i++) {
    const scheduled = start + (i + random() * jitter) * spacing;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleep(wait);
    // Behind schedule, the loop does not sleep: the overdue arrivals go at once, each still timed from its own schedule.
    const measured = i >= warmupArrivals;
    if (measured && Number.isNaN(firstMeasured)) firstMeasured = scheduled;
    if (outstanding >= maxOutstanding) {
      if (measured) result.dropped++;
      continue;
    }
    outstanding++;
    result.peakOutstanding = Math.max(result.peakOutstanding, outstanding);
    const done = (ok: boolean, reason?: unknown) => {
      outstanding--;
      if (!measured) return;
      const now = performance.now();
      lastCompletion = Number.isNaN(lastCompletion) ? now : Math.max(lastCompletion, now);
      if (ok) result.latencies.push(now - scheduled);
      else if (result.errors++ === 0) result.firstError = reason;
    };
    // Called now; an async wrapper so a fire() that throws before its promise is one more error, not the end of the run.
    const index = i % projects;
    const sent = (async () => fire(index))();
    inFlight.push(
      sent.then(
        () => done(true),
        (err: unknown) => done(false, err),
      ),
    );
  }
  await Promise.all(inFlight);
  result.wallSeconds = Number.isNaN(lastCompletion) ? 0 : Math.max(0, lastCompletion - firstMeasured) / 1000;
  result.achievedRate = result.wallSeconds > 0 ? result.latencies.length / result.wallSeconds : 0;
  return result;
}

import { median } from "@/server/monitoring/robust-stats";
import { round3 } from "./optimize-hot-spots";

export interface WallTime {
  /** Every run's wall time, in run order. */
  runsMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export function wallTime(runsMs: readonly number[]): WallTime {
  return { runsMs: runsMs.map(round3), medianMs: round3(median(runsMs)), minMs: round3(Math.min(...runsMs)), maxMs: round3(Math.max(...runsMs)) };
}

export interface SpeedUp {
  /** median(baseline) / median(candidate): above 1 means the candidate is faster. */
  ratio: number;
  /** A 95% bootstrap interval of that ratio (resampling each side's runs); with few runs it is wide, as it should be. */
  low: number;
  high: number;
  /** "candidate" or "baseline" only when the whole interval is on one side of 1; else "unclear". */
  faster: "candidate" | "baseline" | "unclear";
}

/** A small deterministic generator (mulberry32), so the same runs always give the same interval. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resampledMedian(values: readonly number[], random: () => number): number {
  return median(values.map(() => values[Math.floor(random() * values.length)]!));
}

export function speedUp(baselineMs: readonly number[], candidateMs: readonly number[], iterations = 2000): SpeedUp {
  const floor = 1e-3; // a run under a microsecond is measurement noise; never divide by zero
  const ratio = Math.max(median(baselineMs), floor) / Math.max(median(candidateMs), floor);
  const random = seeded(baselineMs.length * 7919 + candidateMs.length);
  const ratios: number[] = [];
  for (let i = 0; i < iterations; i++) {
    ratios.push(Math.max(resampledMedian(baselineMs, random), floor) / Math.max(resampledMedian(candidateMs, random), floor));
  }
  ratios.sort((a, b) => a - b);
  const low = ratios[Math.floor(iterations * 0.025)]!;
  const high = ratios[Math.min(iterations - 1, Math.ceil(iterations * 0.975) - 1)]!;
  const faster = low > 1 ? "candidate" : high < 1 ? "baseline" : "unclear";
  return { ratio: round3(ratio), low: round3(low), high: round3(high), faster };
}

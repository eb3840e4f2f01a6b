// Median and MAD rather than mean and standard deviation: one past burst inflates the standard
// deviation and hides the next one, while the median and MAD barely move (breakdown point 50 %).

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Iglewicz–Hoaglin modified z-score, 0.6745 (x − median) / MAD. `minMad` stands in for a MAD
 * of 0 (a flat history, e.g. all zeros), which would otherwise make any change infinite.
 */
export function robustZ(x: number, history: readonly number[], minMad: number): { z: number; median: number; mad: number } {
  const m = median(history);
  const d = mad(history);
  return { z: (0.6745 * (x - m)) / Math.max(d, minMad), median: m, mad: d };
}

import { AppError } from "@/server/errors/app-error";

/** The most points a series query returns, whatever the range asked for. */
export const MAX_SERIES_POINTS = 500;

export interface SeriesPlan {
  since: Date;
  until: Date;
  /** Width of one returned point: a multiple of the sampling interval. */
  bucketMs: number;
}

/**
 * Bounds a series query: any range is downsampled so that at most `maxPoints` buckets come back
 * (epoch-aligned buckets may cut the range at both ends, hence `maxPoints - 1` in the division).
 * Only a range that ends before it starts is refused.
 */
export function planSeries(range: { since: Date; until: Date }, intervalMs: number, maxPoints = MAX_SERIES_POINTS): SeriesPlan {
  const points = Math.max(2, Math.min(MAX_SERIES_POINTS, Math.floor(maxPoints)));
  const span = range.until.getTime() - range.since.getTime();
  if (!Number.isFinite(span) || span <= 0)
    throw new AppError("BAD_REQUEST", `the range must end after it starts (since ${range.since.toISOString()}, until ${range.until.toISOString()})`);
  const perPoint = Math.ceil(span / (points - 1));
  const bucketMs = Math.max(intervalMs, Math.ceil(perPoint / intervalMs) * intervalMs);
  return { since: range.since, until: range.until, bucketMs };
}

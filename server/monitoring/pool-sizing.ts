import type { ImageKind } from "@/server/sandbox/config";

export interface PoolSizing {
  /** Demand is read over this window (the last 15 minutes by default). */
  windowMs: number;
  min: number;
  max: number;
}

export interface PoolTarget {
  target: number;
  /** The busiest minute's binds of the busiest image over the window. */
  peakPerMinute: number;
}

/**
 * Warm containers to keep per image: the most projects bound to one image within a single minute
 * over the window, within [min, max]. A taken warm container is replaced within seconds, so the
 * pool only has to absorb a burst arriving faster than that; a minute's peak covers it with room
 * to spare, and a quiet fleet shrinks to `min` instead of holding idle containers.
 */
export function warmPoolTarget(binds: readonly { at: number; image: ImageKind }[], now: number, sizing: PoolSizing): PoolTarget {
  const perMinute = new Map<string, number>();
  for (const b of binds) {
    if (b.at < now - sizing.windowMs || b.at > now) continue;
    const key = `${b.image}/${Math.floor(b.at / 60_000)}`;
    perMinute.set(key, (perMinute.get(key) ?? 0) + 1);
  }
  const peakPerMinute = Math.max(0, ...perMinute.values());
  return { target: Math.min(sizing.max, Math.max(sizing.min, peakPerMinute)), peakPerMinute };
}

import { z } from "zod";

const MAX_MINUTES = 10 * 366 * 24 * 60;

export const fleetOverviewInput = z
  .object({
    /** Any range is accepted: the series is downsampled to at most `maxPoints` buckets. */
    minutes: z.number().int().min(1).max(MAX_MINUTES, "at most ten years").default(60),
    maxPoints: z.number().int().min(2).max(500).default(120),
  })
  .default({ minutes: 60, maxPoints: 120 });

const figures = { executionsPerMinute: z.number(), errorRate: z.number(), p50Ms: z.number(), p95Ms: z.number() };
const fleetFigures = {
  activeSandboxes: z.number(),
  warmContainers: z.number(),
  activeExecutions: z.number(),
  ...figures,
  cpuPercent: z.number(),
  memoryMb: z.number(),
};

export const fleetOverviewOutput = z.object({
  at: z.date(),
  monitoring: z.boolean(),
  engine: z
    .object({
      state: z.string(),
      runtime: z.string(),
      activeExecutions: z.number(),
      lastError: z.string().nullable(),
      pool: z.object({
        warm: z.record(z.string(), z.number().optional()),
        warmTarget: z.number(),
        creating: z.number(),
        leased: z.number(),
        maxConcurrent: z.number(),
        dockerAvailable: z.boolean(),
      }),
    })
    .nullable(),
  live: z.object(figures),
  latest: z.object({ at: z.date(), ...fleetFigures }).nullable(),
  series: z.object({ bucketMs: z.number(), points: z.array(z.object({ at: z.date(), samples: z.number(), ...fleetFigures })) }),
  thresholds: z.record(z.string(), z.number()),
  cleanup: z.object({
    intervalMs: z.number(),
    last: z
      .object({
        at: z.date(),
        durationMs: z.number(),
        idleReleased: z.number(),
        orphansRemoved: z.number().nullable(),
        rowsDeleted: z.number().nullable(),
        pool: z.object({ from: z.number(), to: z.number(), peakPerMinute: z.number() }).nullable(),
        errors: z.array(z.string()),
      })
      .nullable(),
  }),
});

import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";
import { PROJECT_METRIC_TYPES } from "@/server/services/monitoring/project-metrics";

// Monitoring procedures of the admin router: inputs, and outputs (admin API keys reach these).

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

export const activeSandboxesOutput = z.array(
  z.object({
    projectId: z.string(),
    projectName: z.string().nullable(),
    ownerEmail: z.string().nullable(),
    createdByAi: z.string().nullable(),
    lastRunByAi: z.string().nullable(),
    containerId: z.string(),
    image: z.string(),
    ageMs: z.number(),
    idleMs: z.number(),
    busy: z.number(),
    cpuPercent: z.number().nullable(),
    memoryMb: z.number().nullable(),
    diskMb: z.number().nullable(),
    pids: z.number().nullable(),
  }),
);

export const stopSandboxInput = z.object({ projectId: projectIdSchema });
export const stopSandboxOutput = z.object({ released: z.boolean() });

const alert = z.object({
  id: z.number(),
  rule: z.string(),
  subject: z.string(),
  value: z.number(),
  peak: z.number(),
  threshold: z.number(),
  message: z.string(),
  raisedAt: z.date(),
  resolvedAt: z.date().nullable(),
});
export const alertsOutput = z.object({ open: z.array(alert), recent: z.array(alert) });

export const anomaliesOutput = z
  .object({
    at: z.date(),
    errors: z.array(z.string()),
    flags: z.array(
      z.object({
        subject: z.object({ kind: z.enum(["project", "user"]), id: z.string() }),
        signal: z.string(),
        reason: z.string(),
        value: z.number(),
        baseline: z.number(),
        mad: z.number().nullable(),
        z: z.number().nullable(),
        message: z.string(),
      }),
    ),
  })
  .nullable();

export const projectMetricsInput = z
  .object({
    projectId: projectIdSchema,
    metric: z.enum(PROJECT_METRIC_TYPES),
    since: z.date(),
    until: z.date(),
    maxPoints: z.number().int().min(2).max(500).default(120),
  })
  .refine((q) => q.until > q.since, { message: "must be after since", path: ["until"] });

export const projectMetricsOutput = z.object({
  bucketMs: z.number(),
  points: z.array(z.object({ at: z.date(), avg: z.number(), max: z.number(), samples: z.number() })),
});

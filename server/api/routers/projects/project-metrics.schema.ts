import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";

export const projectMetricsInput = z.object({
  projectId: projectIdSchema,
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
});

const sample = z.object({ value: z.number(), at: z.date() });
const bucket = z.object({ at: z.date(), avg: z.number(), max: z.number(), samples: z.number() });

export const projectMetricsOutput = z.object({
  windowMinutes: z.number(),
  bucketMs: z.number(),
  latest: z.object({
    cpu_percent: sample.optional(),
    memory_mb: sample.optional(),
    disk_mb: sample.optional(),
    net_rx_bytes: sample.optional(),
    net_tx_bytes: sample.optional(),
    pids: sample.optional(),
  }),
  cpu: z.array(bucket),
  memory: z.array(bucket),
  executions: z.object({
    total: z.number(),
    running: z.number(),
    success: z.number(),
    failed: z.number(),
    timeouts: z.number(),
    avgMs: z.number().nullable(),
    p95Ms: z.number().nullable(),
    perBucket: z.array(z.object({ at: z.date(), count: z.number(), failed: z.number(), avgMs: z.number().nullable() })),
  }),
});

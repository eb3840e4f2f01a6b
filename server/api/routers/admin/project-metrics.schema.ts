import { z } from "zod";
import { projectIdSchema } from "@/server/api/schemas/common.schema";
import { PROJECT_METRIC_TYPES } from "@/server/services/monitoring/project-metrics";

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

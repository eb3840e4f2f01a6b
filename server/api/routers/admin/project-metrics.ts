import { adminProcedure } from "@/server/api/trpc";
import { projectMetricSeries } from "@/server/services/monitoring/project-metrics";
import { projectMetricsInput, projectMetricsOutput } from "./project-metrics.schema";

/** One metric of any project over a range, downsampled to at most `maxPoints` buckets. */
export const projectMetricsProcedure = adminProcedure
  .input(projectMetricsInput)
  .output(projectMetricsOutput)
  .query(({ ctx, input }) => projectMetricSeries(ctx.user, input.projectId, input, ctx.config));

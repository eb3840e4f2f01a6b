import { requireScope } from "@/server/api/trpc";
import { projectMetrics } from "@/server/services/monitoring/project-metrics";
import { projectMetricsInput, projectMetricsOutput } from "./project-metrics.schema";

/** The project container's CPU, memory and executions over a window (owner and admins only). */
export const projectMetricsProcedure = requireScope("projects:read")
  .input(projectMetricsInput)
  .output(projectMetricsOutput)
  .query(({ ctx, input }) => projectMetrics(ctx.user, input.projectId, input.windowMinutes));

import { actingAi, requireScope } from "@/server/api/trpc";
import { optimizePerformance } from "@/server/services/ai/optimize-performance";
import { optimizePerformanceInput, optimizePerformanceOutput } from "./optimize-performance.schema";

/** optimize_performance: profile the project's command (hot spots, wall time, peak memory), or compare a candidate change set against it. */
export const optimizePerformanceProcedure = requireScope("executions:run")
  .input(optimizePerformanceInput)
  .use(actingAi)
  .output(optimizePerformanceOutput)
  .mutation(({ ctx, input }) => optimizePerformance(ctx.actor, input, ctx.config));

import { optimizePerformanceInput, optimizePerformanceOutput } from "@/server/api/routers/ai/optimize-performance.schema";
import { optimizePerformance } from "@/server/services/ai/optimize-performance";
import { defineTool } from "../mcp-tool";

// ai.optimizePerformance as an MCP tool: same input, scope and service.

export const optimizePerformanceTool = defineTool({
  name: "optimize_performance",
  title: "Profile the project, or compare a faster candidate",
  description:
    "Runs command (default: the template's test command) `runs` times under its runtime's profiler (Node --cpu-prof, Python cProfile) and returns the hot spots " +
    "(function, file, line, self and total time in ms and as a share, Python call counts, V8 sample hits), wall time per run (median, min, max) and peak memory. " +
    "With `candidate` (writes/deletes) it instead times the current files against the candidate applied to a temporary copy, interleaved, and returns the speed-up " +
    "(ratio of medians with a 95% bootstrap interval); the project's files are never changed. A run that exits non-zero ends profiling with a partial report (`failure`).",
  scopes: ["executions:run"],
  readOnly: false,
  input: optimizePerformanceInput,
  run: async ({ actor, config }, input) => optimizePerformanceOutput.parse(await optimizePerformance(actor, input, config)),
});

import type { z } from "zod";
import type { optimizePerformance } from "@/server/services/ai/optimize-performance";
import type { optimizeResponse } from "./rest-optimize.schema";

type Report = Awaited<ReturnType<typeof optimizePerformance>>;
type WallTime = Extract<Report, { mode: "profile" }>["wallTime"];

const wallTimeJson = (w: WallTime) => ({ runs_ms: w.runsMs, median_ms: w.medianMs, min_ms: w.minMs, max_ms: w.maxMs });

/** The service's report in the REST API's snake_case. */
export function performanceReportJson(r: Report): z.input<typeof optimizeResponse> {
  if (r.mode === "compare") {
    return {
      mode: "compare",
      command: r.command,
      execution_id: r.executionId,
      runs: r.runs,
      baseline: wallTimeJson(r.baseline),
      candidate: wallTimeJson(r.candidate),
      speed_up: { ratio: r.speedUp.ratio, low: r.speedUp.low, high: r.speedUp.high, faster: r.speedUp.faster },
      peak_memory_mb: r.peakMemoryMb,
    };
  }
  return {
    mode: "profile",
    command: r.command,
    execution_id: r.executionId,
    runs: r.runs,
    wall_time: wallTimeJson(r.wallTime),
    peak_memory_mb: r.peakMemoryMb,
    profiled_ms: r.profiledMs,
    hot_spots: r.hotSpots.map((h) => ({
      function: h.function,
      file: h.file,
      line: h.line,
      in_project: h.inProject,
      self_ms: h.selfMs,
      self_share: h.selfShare,
      total_ms: h.totalMs,
      total_share: h.totalShare,
      calls: h.calls,
      hits: h.hits,
    })),
    failure: r.failure && { run: r.failure.run, exit_code: r.failure.exitCode, output_tail: r.failure.outputTail },
  };
}

import { executionStatsRepository } from "@/server/repositories/execution-stats-repository";
import { type AnomalyConfig, type AnomalyFlag, DEFAULT_ANOMALY_CONFIG, detectAnomalies } from "./anomaly";
import { executionSeries } from "./anomaly-feed";

/**
 * Execution anomalies (bursts, repeated timeouts and OOMs) per project and per user over the
 * last `minutes`, for the admin page. One grouped query; the detection itself is pure.
 */
export async function detectExecutionAnomalies(now: Date = new Date(), minutes = 60, config: AnomalyConfig = DEFAULT_ANOMALY_CONFIG): Promise<AnomalyFlag[]> {
  const since = new Date((Math.floor(now.getTime() / 60_000) - minutes + 1) * 60_000);
  const buckets = await executionStatsRepository.perMinute(since);
  return detectAnomalies(executionSeries(buckets, now, minutes), config);
}
